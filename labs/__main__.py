import sys

from labs.runner import main

raise SystemExit(main(sys.argv[1:]))
