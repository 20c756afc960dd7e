"""The organiser's pages for one workshop, under /f/w/<workshop_id>/export/ (export_views.py)."""

from django.urls import path

from discussions import export_views as views

app_name = "export"

urlpatterns = [
    path("", views.export_page, name="page"),
    path("file/", views.download, name="download"),
    path("report/", views.report, name="report"),
    path("delete-participants/", views.delete_participant_data, name="delete_participants"),
    path("delete-workshop/", views.delete_workshop, name="delete_workshop"),
]
