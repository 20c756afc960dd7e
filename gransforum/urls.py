from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gransforum import statement, views

urlpatterns = [
    path("", include("discussions.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("tillganglighet/", statement.accessibility, name="accessibility"),
    # set_language: the chooser at the foot of every page; the choice is kept in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("rekommendationer/", include("recommendations.urls")),
    # A facilitator's own lists: under /f/ with the rest of the facilitator's pages.
    path("f/sets/", include("recommendations.facilitator_urls")),
    path("konto/logga-in/", views.login, name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/losenord/", views.password_change, name="password_change"),
    path("konto/losenord/klart/", views.password_change_done, name="password_change_done"),
    # Before admin.site.urls, so the admin's login URL takes the rate-limited view.
    path(f"{settings.ADMIN_URL}login/", views.admin_login),
    path(settings.ADMIN_URL, admin.site.urls),
]
