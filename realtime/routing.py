"""WebSocket routes of the realtime app, mounted by config/asgi.py (HTTP routes are in realtime/urls.py)."""

from django.urls import re_path

from realtime import consumers

websocket_urlpatterns = [
    re_path(r"^ws/rooms/(?P<room>[-a-zA-Z0-9_]{1,50})/$", consumers.RoomConsumer.as_asgi(), name="realtime_room"),
    re_path(r"", consumers.NotFoundConsumer.as_asgi(), name="realtime_not_found"),  # every other path
]
