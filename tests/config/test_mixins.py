import pytest
from django.core.exceptions import ImproperlyConfigured
from django.views import View

from config.mixins import AsyncLoginRequiredMixin


def test_the_async_login_mixin_refuses_sync_views():
    class SyncView(AsyncLoginRequiredMixin, View):
        def get(self, request):
            pass

    with pytest.raises(ImproperlyConfigured, match="its handlers must be async"):
        SyncView.as_view()


def test_the_async_login_mixin_keeps_async_views_async():
    class AsyncView(AsyncLoginRequiredMixin, View):
        async def get(self, request):
            pass

    from asgiref.sync import iscoroutinefunction

    assert iscoroutinefunction(AsyncView.as_view())
