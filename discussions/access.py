"""Who may see a workshop: its members. Anyone else gets a 404, never a 403,
so nobody learns that another workshop (or its discussions) exists."""

from django.http import Http404

from discussions.models import Discussion, Group, Workshop


def workshop_for_user(request, workshop_id) -> Workshop:
    workshop = Workshop.objects.filter(pk=workshop_id, members=request.user).first()
    if workshop is None:
        raise Http404("no such workshop")
    return workshop


def discussion_for_user(request, discussion_id) -> Discussion:
    discussion = (
        Discussion.with_live_revision(
            Discussion.objects.select_related("workshop", "recommendation_set")
        )
        .filter(pk=discussion_id, workshop__members=request.user)
        .first()
    )
    if discussion is None:
        raise Http404("no such discussion")
    return discussion


def group_for_user(request, discussion_id, group_id) -> Group:
    # discussion__pk, not discussion_id: Django turns an id past the database's integer
    # range into "no match" only on a lookup of a key itself; on the foreign key column
    # SQLite raises OverflowError (a 500) for /f/d/9223372036854775808/groups/1/delete/.
    group = Group.objects.filter(
        pk=group_id, discussion__pk=discussion_id, discussion__workshop__members=request.user
    ).first()
    if group is None:
        raise Http404("no such group")
    return group
