"""A facilitator's recommendation lists, under /f/sets/ (recommendations/views.py)."""

from django.urls import path

from recommendations import views

app_name = "sets"

urlpatterns = [
    path("", views.my_sets, name="list"),
    path("new/", views.set_create, name="create"),
    path("<id:set_id>/", views.set_page, name="set"),
    path("<id:set_id>/edit/", views.set_edit, name="edit"),
    path("<id:set_id>/copy/", views.set_copy, name="copy"),
    path("<id:set_id>/delete/", views.set_delete, name="delete"),
]
