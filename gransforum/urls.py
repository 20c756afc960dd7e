from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gransforum import views

urlpatterns = [
    path("", include("discussions.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("rekommendationer/", include("recommendations.urls")),
    path("konto/logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path(settings.ADMIN_URL, admin.site.urls),
]
