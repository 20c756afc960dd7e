"""Project-wide views: the health check and logging in."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from discussions import ratelimit


@require_GET
def healthz(request):
    """For a load balancer's health check, and the benchmark's baseline: no database, a constant."""
    return HttpResponse("ok", content_type="text/plain")


_login = auth_views.LoginView.as_view()


def login(request):
    return _limited_login(request, _login)


def admin_login(request):
    """Django admin's login form, behind the same failure limit as the login page."""
    # Why: admin.site's own login view took unlimited password guesses; this one
    # shares the login page's counters (per address and per username).
    return _limited_login(request, admin.site.login)


def _limited_login(request, login_view):
    username = request.POST.get("username", "")[:150].lower() if request.method == "POST" else ""
    if request.method == "POST" and (
        ratelimit.is_limited("login", request, settings.LOGIN_FAILURE_LIMIT)
        or ratelimit.is_limited("login-user", request, settings.LOGIN_FAILURE_LIMIT, username)
    ):
        response = render(
            request,
            "registration/too_many.html",
            {"minutes": max(1, settings.LOGIN_FAILURE_WINDOW // 60)},
            status=429,
        )
        response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW)
        return response
    response = login_view(request)
    # A failed login re-shows the form (200); a successful one redirects.
    if request.method == "POST" and response.status_code == 200:
        window = settings.LOGIN_FAILURE_WINDOW
        ratelimit.count_failure("login", request, window)
        ratelimit.count_failure("login-user", request, window, username)
    return response
