"""The site's URL map plus one page that fails, to see the 500 page (tests only)."""

from django.db import OperationalError
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def failing_page(request):
    """Fail as a page does when the database is gone."""
    raise OperationalError("could not connect to server")


urlpatterns = [path("en-panne/", failing_page), *urlpatterns]
