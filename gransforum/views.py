"""Project-wide views: the health check, logging in, and changing one's password."""

import math

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from discussions import ratelimit
from gransforum import accounts


@require_GET
def healthz(request):
    """For a load balancer's health check, and the benchmark's baseline: no database, a constant."""
    return HttpResponse("ok", content_type="text/plain")


def login(request):
    # On a fresh database nobody can log in yet: the page says how to make the account.
    context = {"first_run": accounts.no_account_yet(), "command": accounts.ACCOUNT_COMMAND}
    return _limited_login(request, auth_views.LoginView.as_view(extra_context=context))


def admin_login(request):
    """Django admin's login form, behind the same failure limit as the login page."""
    # Why: admin.site's own login view took unlimited password guesses; this one
    # shares the login page's counters (per address, and per address and username).
    return _limited_login(request, admin.site.login)


def _limited_login(request, login_view):
    if request.method != "POST":
        return login_view(request)
    username = request.POST.get("username", "")[:150].lower()
    if ratelimit.is_limited("login", request, settings.LOGIN_FAILURE_LIMIT):
        return _too_many_logins(request, settings.LOGIN_FAILURE_WINDOW)
    if wait := ratelimit.login_wait(request, username):
        return _too_many_logins(request, wait)
    response = login_view(request)
    # A failed login re-shows the form (200); a successful one redirects.
    if response.status_code == 200:
        ratelimit.count_failure("login", request, settings.LOGIN_FAILURE_WINDOW)
        ratelimit.count_login_failure(request, username)
    elif response.status_code in (302, 303):
        ratelimit.forget_login_failures(request, username)
    return response


def _too_many_logins(request, seconds: int):
    context = {"seconds": seconds, "minutes": math.ceil(seconds / 60)}
    response = render(request, "registration/too_many.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Django's PasswordChangeView as a function, with its wrong-old-password guesses
    limited like the login's (a borrowed session must not test passwords freely)."""
    username = request.user.get_username().lower()
    limit = settings.LOGIN_FAILURE_LIMIT
    if request.method == "POST" and ratelimit.is_limited("password", request, limit, username):
        return _too_many_logins(request, settings.LOGIN_FAILURE_WINDOW)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            update_session_auth_hash(request, user)  # stay logged in here, out elsewhere
            return HttpResponseRedirect(reverse("password_change_done"), status=303)
        if form.has_error("old_password"):
            ratelimit.count_failure("password", request, settings.LOGIN_FAILURE_WINDOW, username)
    status = 400 if form.errors else 200
    return render(request, "registration/password_change.html", {"form": form}, status=status)


@login_required
@require_GET
def password_change_done(request):
    return render(request, "registration/password_change_done.html")
