from django.urls import include, path

from discussions import phone_views

urlpatterns = [
    path("", phone_views.home, name="home"),
    path("j/<str:code>/", phone_views.join, name="join_code"),
    path("d/<int:discussion_id>/", phone_views.phone, name="phone"),
    path("d/<int:discussion_id>/poll/", phone_views.poll, name="phone_poll"),
    path("d/<int:discussion_id>/rank/", phone_views.rank, name="phone_rank"),
    path("d/<int:discussion_id>/why/", phone_views.why, name="phone_why"),
    path("d/<int:discussion_id>/group/", phone_views.change_group, name="phone_group"),
    path("d/<int:discussion_id>/<str:kind>/", phone_views.entry_add, name="entry_add"),
    path(
        "d/<int:discussion_id>/<str:kind>/<int:pk>/edit/",
        phone_views.entry_edit,
        name="entry_edit",
    ),
    path(
        "d/<int:discussion_id>/<str:kind>/<int:pk>/withdraw/",
        phone_views.entry_withdraw,
        name="entry_withdraw",
    ),
    path(
        "d/<int:discussion_id>/<str:kind>/<int:pk>/endorse/",
        phone_views.entry_endorse,
        name="entry_endorse",
    ),
    # The facilitator's side: set-up, projector, dashboard (needs a login).
    path("f/", include("discussions.facilitator_urls")),
    # The organiser's exports, printable report and deletion (needs a login).
    path("f/w/<int:workshop_id>/export/", include("discussions.export_urls")),
]
