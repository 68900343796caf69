"""Middleware that refuses or protects before any view runs (issue 16)."""

import time

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is bigger than any the app accepts (413).

    It runs before the CSRF check, which would otherwise read the whole body to find the token;
    only the Content-Length header is looked at, so the body is never read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            too_big = int(declared) > settings.MAX_REQUEST_BODY
        except ValueError:
            too_big = True  # a length that is not a number is not one we will read
        if too_big:
            # Rendered without the request: nothing about the user is known yet.
            html = render_to_string(
                "413.html",
                {"limit": settings.MAX_REQUEST_BODY, "evidence_limit": settings.EVIDENCE_MAX_BYTES},
            )
            return HttpResponse(html, status=413)
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keep a signed-in session alive while it is used: its expiry (SESSION_COOKIE_AGE from the
    last save) moves on when the session is saved, so it is saved once a SESSION_REFRESH_SECONDS
    at most, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if session.session_key and session.get("_auth_user_id"):
            now = int(time.time())
            if now - session.get("_active", 0) >= settings.SESSION_REFRESH_SECONDS:
                session["_active"] = now  # a change, so SessionMiddleware saves it
        return response


def session_started(sender, request, user, **kwargs):
    request.session["_active"] = int(time.time())


class NoStoreWhenSignedInMiddleware:
    """Pages and downloads for a signed-in user are never kept by a browser or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


def client_ip(request):
    """The address a sign-in came from, for counting failures (django-axes).

    Behind PROXY_COUNT proxies we run, each appends the address it saw to X-Forwarded-For, so the
    client is that many entries from the right; anything further left the client wrote itself.
    """
    if settings.PROXY_COUNT:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(hops) >= settings.PROXY_COUNT and hops[-settings.PROXY_COUNT]:
            return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class ServiceNotFoundPageMiddleware:
    """Under DEBUG (``make run``), a page not found is the service's own 404 page, as in
    production: Django's debug page would list every address of the service to anyone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            return HttpResponse(render_to_string("404.html", request=request), status=404)
        return response
