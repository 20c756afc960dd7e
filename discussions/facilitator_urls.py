"""The facilitator's side, under /f/: set-up (setup_views.py), the discussion's
controls and dashboard (facilitator_views.py), the projector's views
(projector_views.py) and the plenary's views on the projector (plenary_views.py)."""

from django.urls import path

from discussions import export_views, plenary_views, projector_views, setup_views
from discussions import facilitator_views as views

app_name = "facilitator"

urlpatterns = [
    path("", setup_views.workshop_list, name="workshops"),
    path("new/", setup_views.workshop_create, name="workshop_create"),
    path("compare/", export_views.compare, name="compare"),
    path("w/<id:workshop_id>/", setup_views.workshop_detail, name="workshop"),
    path("w/<id:workshop_id>/edit/", setup_views.workshop_edit, name="workshop_edit"),
    path("w/<id:workshop_id>/invite/", setup_views.workshop_invite, name="workshop_invite"),
    path("w/<id:workshop_id>/leave/", setup_views.workshop_leave, name="workshop_leave"),
    path(
        "invitation/<id:invitation_id>/accept/",
        setup_views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitation/<id:invitation_id>/decline/",
        setup_views.invitation_decline,
        name="invitation_decline",
    ),
    path("w/<id:workshop_id>/new/", setup_views.discussion_create, name="discussion_create"),
    path("d/<id:discussion_id>/", views.dashboard, name="dashboard"),
    path("d/<id:discussion_id>/live/", views.dashboard_live, name="dashboard_live"),
    path("d/<id:discussion_id>/edit/", setup_views.discussion_edit, name="discussion_edit"),
    path("d/<id:discussion_id>/groups/", setup_views.groups, name="groups"),
    path("d/<id:discussion_id>/groups/new/", setup_views.groups_create, name="groups_create"),
    path(
        "d/<id:discussion_id>/groups/<id:group_id>/rename/",
        setup_views.group_rename,
        name="group_rename",
    ),
    path(
        "d/<id:discussion_id>/groups/<id:group_id>/delete/",
        setup_views.group_delete,
        name="group_delete",
    ),
    path("d/<id:discussion_id>/projector/", projector_views.projector, name="projector"),
    path(
        "d/<id:discussion_id>/projector/live/",
        projector_views.projector_live,
        name="projector_live",
    ),
    path(
        "d/<id:discussion_id>/projector/results/",
        projector_views.projector_results,
        name="projector_results",
    ),
    path(
        "d/<id:discussion_id>/projector/results/live/",
        projector_views.projector_results_live,
        name="projector_results_live",
    ),
    path("d/<id:discussion_id>/projector/areas/", plenary_views.areas, name="projector_areas"),
    path(
        "d/<id:discussion_id>/projector/areas/live/",
        plenary_views.areas_live,
        name="projector_areas_live",
    ),
    path(
        "d/<id:discussion_id>/projector/activities/",
        plenary_views.activities,
        name="projector_activities",
    ),
    path(
        "d/<id:discussion_id>/projector/activities/live/",
        plenary_views.activities_live,
        name="projector_activities_live",
    ),
    path(
        "d/<id:discussion_id>/projector/reasons/",
        plenary_views.reasons,
        name="projector_reasons",
    ),
    path(
        "d/<id:discussion_id>/projector/reasons/live/",
        plenary_views.reasons_live,
        name="projector_reasons_live",
    ),
    path(
        "d/<id:discussion_id>/projector/coverage/",
        plenary_views.coverage,
        name="projector_coverage",
    ),
    path(
        "d/<id:discussion_id>/projector/coverage/live/",
        plenary_views.coverage_live,
        name="projector_coverage_live",
    ),
    path("d/<id:discussion_id>/projector/show/", plenary_views.show, name="projector_show"),
    path("d/<id:discussion_id>/projector/names/", plenary_views.names, name="projector_names"),
    path("d/<id:discussion_id>/end/", views.end_confirm, name="end_confirm"),
    path("d/<id:discussion_id>/timer/<str:action>/", views.timer_control, name="timer"),
    path("d/<id:discussion_id>/reveal/", views.reveal, name="reveal"),
    path("d/<id:discussion_id>/runda-2/", views.second_round, name="second_round"),
    path("d/<id:discussion_id>/<str:kind>/<id:pk>/hide/", views.entry_hide, name="entry_hide"),
    path("d/<id:discussion_id>/<str:kind>/<id:pk>/merge/", views.entry_merge, name="entry_merge"),
    path("d/<id:discussion_id>/logg/<id:event_id>/angra/", views.merge_undo, name="merge_undo"),
]
