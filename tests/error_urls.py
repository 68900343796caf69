"""A URLconf for tests only: the site's URLs plus a view that fails, to reach the 500 page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path


@login_not_required
def fail(request):
    raise RuntimeError("A fault in a view, raised on purpose by the tests.")


urlpatterns = [
    path("fail/", fail),
    path("", include("config.urls")),
]
