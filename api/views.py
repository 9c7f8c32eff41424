"""The same upstream call as the three API layers make, in a plain Django async view: the yardstick chapter 12
measures the layers against (what each framework adds on top of Django itself)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from api.upstream import call_upstream_together, upstream_delays


@require_GET
async def async_upstream(request):
    """Call the slow upstream once per `delays` entry, all at once (asyncio.gather)."""
    return JsonResponse(await call_upstream_together(*upstream_delays(request)))
