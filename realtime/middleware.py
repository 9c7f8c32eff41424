"""GZip for everything but event streams, which Django 5.2's GZipMiddleware silences.

Django's middleware compresses each chunk of an async stream as a gzip stream of its own; browsers and httpx decode
only the first, so the events after it never show (chapter 11 shows it). Not in the default stack: a stack that
compresses puts this in place of Django's."""

from django.middleware.gzip import GZipMiddleware


class EventStreamSafeGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith("text/event-stream"):
            return response  # sent as written, event by event
        return super().process_response(request, response)
