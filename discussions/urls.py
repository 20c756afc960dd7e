from django.urls import include, path, register_converter

from discussions import join_views, phone_poll, phone_views, table_views
from discussions.converters import IdConverter

# Registered here, before the facilitator's and the export's URLs are included.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", join_views.home, name="home"),
    path("j/<str:code>/", join_views.join, name="join_code"),
    path("d/<id:discussion_id>/", phone_views.phone, name="phone"),
    path("d/<id:discussion_id>/poll/", phone_poll.poll, name="phone_poll"),
    path("d/<id:discussion_id>/rank/", phone_views.rank, name="phone_rank"),
    path("d/<id:discussion_id>/why/", phone_views.why, name="phone_why"),
    path("d/<id:discussion_id>/group/", phone_views.change_group, name="phone_group"),
    path("d/<id:discussion_id>/done/", phone_views.done, name="phone_done"),
    path("d/<id:discussion_id>/results/", phone_views.results_page, name="phone_results"),
    path("d/<id:discussion_id>/table/", table_views.table_answer, name="phone_table"),
    path("d/<id:discussion_id>/<str:kind>/", phone_views.entry_add, name="entry_add"),
    path(
        "d/<id:discussion_id>/<str:kind>/<id:pk>/edit/",
        phone_views.entry_edit,
        name="entry_edit",
    ),
    path(
        "d/<id:discussion_id>/<str:kind>/<id:pk>/withdraw/",
        phone_views.entry_withdraw,
        name="entry_withdraw",
    ),
    path(
        "d/<id:discussion_id>/<str:kind>/<id:pk>/endorse/",
        phone_views.entry_endorse,
        name="entry_endorse",
    ),
    # The facilitator's side: set-up, projector, dashboard (needs a login).
    path("f/", include("discussions.facilitator_urls")),
    # The organiser's exports, printable report and deletion (needs a login).
    path("f/w/<id:workshop_id>/export/", include("discussions.export_urls")),
]
