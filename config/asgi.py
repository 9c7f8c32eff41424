"""ASGI entry point: `uvicorn config.asgi:application` (or gunicorn with uvicorn_worker.UvicornWorker).

HTTP requests go to Django, as they always did. WebSocket connections go to the realtime app's consumers
(realtime/routing.py) through Channels, behind two guards, outermost first:
- AllowedHostsOriginValidator refuses a handshake whose Origin header is not one of ALLOWED_HOSTS: browsers send
  cookies with a WebSocket handshake from any site, and no CSRF check protects it;
- AuthMiddlewareStack reads the session cookie and puts the user in scope["user"].
daphne serves this application too (`daphne config.asgi:application`); WSGI servers can serve only HTTP
(config/wsgi.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# First: it sets Django up, and the consumers below import models.
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
