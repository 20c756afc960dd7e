from django.urls import path  # noqa: F401 - the facilitator pages come next

urlpatterns: list = []
