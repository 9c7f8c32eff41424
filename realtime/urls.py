"""URLs of the realtime app, mounted under /realtime/ by config/urls.py."""

from django.urls import path

from realtime import views

urlpatterns = [
    path("live/", views.realtime_live, name="realtime_live"),
    path("stats/", views.realtime_stats, name="realtime_stats"),
    path("<slug:topic>/events/", views.realtime_stream, name="realtime_stream"),
    path("<slug:topic>/publish/", views.realtime_publish, name="realtime_publish"),
]
