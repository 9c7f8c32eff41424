"""Part of lab 04's URLconf (liveproject.broken_urls.lab04_audit): a view that fails with a RuntimeError raised by
a guard that refuses to query on the event loop. Its traceback shows a line naming SynchronousOnlyOperation, but
does not end with one: its exception line is the RuntimeError."""

from django.core.exceptions import SynchronousOnlyOperation
from django.urls import path


def refuse_to_raise(exception_type):
    """Raise a RuntimeError of our own where `exception_type` would have been raised."""
    raise RuntimeError("the report refused to query on the event loop")


async def other_error(request):
    refuse_to_raise(SynchronousOnlyOperation)


urlpatterns = [path("other-error/", other_error)]
