"""Class-based view mixins that work with async handlers."""

from django.core.exceptions import ImproperlyConfigured

from config.errors import error_response


class AsyncLoginRequiredMixin:
    """Refuse anonymous requests to an async class-based view with 401 JSON.

    Django's LoginRequiredMixin has a sync dispatch(): on an async view it returns its redirect where Django
    expects a coroutine, and it reads request.user, a lazy database lookup, inside async code (chapter 03
    shows both). This dispatch is async and asks for the user with `await request.auser()`.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        if not cls.view_is_async:
            raise ImproperlyConfigured(
                f"{cls.__qualname__} uses AsyncLoginRequiredMixin, so its handlers must be async"
            )
        return super().as_view(**initkwargs)

    async def dispatch(self, request, *args, **kwargs):
        user = await request.auser()
        if not user.is_authenticated:
            return error_response(401, "log in first (POST /auth/login/)")
        request.user = user  # the loaded user, so handlers can read request.user without a lazy query
        return await super().dispatch(request, *args, **kwargs)
