"""Who may see a workshop: its members. Anyone else gets a 404, never a 403,
so nobody learns that another workshop (or its discussions) exists."""

from django.http import Http404

from discussions.models import Discussion, Workshop


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
