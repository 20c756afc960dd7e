"""The facilitator's set-up pages: workshops, their discussions and tables, members.

Every view needs a login and works only on workshops the user is a member of;
anything else is a 404 (discussions/access.py). Forms post and redirect (303); a
refused form answers 400 with the form and its errors.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from discussions import facilitator_writes, invitations, timer
from discussions.access import discussion_for_user, group_for_user, workshop_for_user
from discussions.facilitator_forms import (
    DiscussionForm,
    GroupNameForm,
    InviteForm,
    TablesForm,
    WorkshopForm,
)
from discussions.live import STATE_LABELS
from discussions.models import Discussion, Invitation
from discussions.refused import Refused


@login_required
@require_GET
def workshop_list(request):
    workshops = request.user.workshops.annotate(n_discussions=Count("discussions"))
    invitations = request.user.invitations.select_related("workshop", "invited_by").order_by(
        "created_at"
    )
    context = {"workshops": workshops, "invitations": invitations}
    return render(request, "facilitator/workshop_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request):
    form = WorkshopForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # Together: a workshop without its creator would be one nobody can open.
        with transaction.atomic():
            workshop = form.save()
            workshop.members.add(request.user)
        return HttpResponseRedirect(reverse("facilitator:workshop", args=[workshop.pk]), status=303)
    status = 400 if form.errors else 200
    return render(
        request, "facilitator/workshop_form.html", {"form": form, "workshop": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = WorkshopForm(request.POST or None, instance=workshop, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        return HttpResponseRedirect(reverse("facilitator:workshop", args=[workshop.pk]), status=303)
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": workshop}
    return render(request, "facilitator/workshop_form.html", context, status=status)


def _workshop_page(request, workshop, invite_form=None, status=200, error=""):
    discussions = list(
        workshop.discussions.annotate(
            n_groups=Count("groups", distinct=True),
            n_participants=Count("participants", distinct=True),
        ).order_by("created_at")
    )
    now = timezone.now()
    for discussion in discussions:
        discussion.state_label = STATE_LABELS[timer.state(discussion.clock, now)]
    context = {
        "workshop": workshop,
        "discussions": discussions,
        "members": workshop.members.order_by("username"),
        "invite_form": invite_form or InviteForm(),
        "invited": request.GET.get("invited") == "1",
        "error": error,
    }
    return render(request, "facilitator/workshop_detail.html", context, status=status)


@login_required
@require_GET
def workshop_detail(request, workshop_id):
    return _workshop_page(request, workshop_for_user(request, workshop_id))


@login_required
@require_POST
def workshop_invite(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _workshop_page(request, workshop, invite_form=form, status=400)
    invitations.invite(workshop, form.cleaned_data["username"], request.user)
    # The same answer whether or not the name is an account's.
    url = reverse("facilitator:workshop", args=[workshop.pk]) + "?invited=1"
    return HttpResponseRedirect(url, status=303)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_leave(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    if request.method == "POST":
        try:
            invitations.leave(workshop, request.user)
        except Refused as refused:
            return _workshop_page(request, workshop, status=refused.status, error=refused.message)
        return HttpResponseRedirect(reverse("facilitator:workshops"), status=303)
    return render(request, "facilitator/workshop_leave.html", {"workshop": workshop})


def _own_invitation_or_404(request, invitation_id) -> Invitation:
    invitation = (
        Invitation.objects.select_related("workshop")
        .filter(pk=invitation_id, invitee=request.user)
        .first()
    )
    if invitation is None:
        raise Http404("no such invitation")
    return invitation


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    invitation = _own_invitation_or_404(request, invitation_id)
    invitations.accept(invitation)
    url = reverse("facilitator:workshop", args=[invitation.workshop_id])
    return HttpResponseRedirect(url, status=303)


@login_required
@require_POST
def invitation_decline(request, invitation_id):
    invitations.decline(_own_invitation_or_404(request, invitation_id))
    return HttpResponseRedirect(reverse("facilitator:workshops"), status=303)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_create(request, workshop_id):
    workshop = workshop_for_user(request, workshop_id)
    form = DiscussionForm(
        request.POST or None,
        instance=Discussion(workshop=workshop, recommendation_set=workshop.recommendation_set),
        initial={"title": _("Gruppdiskussion")},
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        discussion = form.save()
        # Next step: the tables people will pick from.
        return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion.pk]), status=303)
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": workshop, "discussion": None}
    return render(request, "facilitator/discussion_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def discussion_edit(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    form = DiscussionForm(request.POST or None, instance=discussion, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Question texts and the clock show on every phone.
        Discussion.bump_revision(discussion.pk)
        return HttpResponseRedirect(
            reverse("facilitator:dashboard", args=[discussion.pk]), status=303
        )
    status = 400 if form.errors else 200
    context = {"form": form, "workshop": discussion.workshop, "discussion": discussion}
    return render(request, "facilitator/discussion_form.html", context, status=status)


def _groups_page(request, discussion, *, tables_form=None, rename=None, error="", status=200):
    groups = list(discussion.groups.annotate(n_participants=Count("participants")))
    for group in groups:
        form = (rename or {}).get(group.pk)  # a refused rename: show what was typed, and why
        if form is not None:
            group.typed_name = form.data.get("name", "")
            group.rename_errors = form.errors.get("name", [])
    room = _room(discussion)
    to_fill = room.tables - len(groups) if room else 0
    if tables_form is None:
        tables_form = TablesForm(initial={"count": to_fill} if to_fill > 0 else None)
    if groups:
        # The number is how many more, never the room's total: say so.
        tables_form.fields["count"].label = _("Antal nya bord")
    context = {
        "discussion": discussion,
        "workshop": discussion.workshop,
        "groups": groups,
        "tables_form": tables_form,
        "room": room if to_fill > 0 else None,
        "error": error,
    }
    return render(request, "facilitator/groups.html", context, status=status)


def _room(discussion):
    """The room's tables as this workshop's other discussions have them: the largest
    one's count and title, or None when none has tables.

    The groups page pre-fills "Antal bord" with what completes that room (a second
    round at the same tables), else nothing: any other number is a guess that one
    click turns into tables on every phone's list (Bord 5-12 after Bord 1-4), and a
    table someone has joined cannot be taken away again.
    """
    return (
        Discussion.objects.filter(workshop_id=discussion.workshop_id)
        .exclude(pk=discussion.pk)
        .annotate(tables=Count("groups"))
        .filter(tables__gt=0)
        .order_by("-tables", "-created_at")
        .only("title")
        .first()
    )


@login_required
@require_GET
def groups(request, discussion_id):
    return _groups_page(request, discussion_for_user(request, discussion_id))


@login_required
@require_POST
def groups_create(request, discussion_id):
    discussion = discussion_for_user(request, discussion_id)
    form = TablesForm(request.POST)
    if not form.is_valid():
        return _groups_page(request, discussion, tables_form=form, status=400)
    try:
        facilitator_writes.create_tables(discussion, form.cleaned_data["count"], by=request.user)
    except Refused as refused:
        return _groups_page(request, discussion, error=refused.message, status=refused.status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion.pk]), status=303)


@login_required
@require_POST
def group_rename(request, discussion_id, group_id):
    group = group_for_user(request, discussion_id, group_id)
    form = GroupNameForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            facilitator_writes.rename_group(group, form.cleaned_data["name"], by=request.user)
        except Refused as refused:
            form.add_error("name", refused.message)
            status = refused.status
    if form.errors:
        discussion = discussion_for_user(request, discussion_id)
        return _groups_page(request, discussion, rename={group.pk: form}, status=status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion_id]), status=303)


@login_required
@require_POST
def group_delete(request, discussion_id, group_id):
    group = group_for_user(request, discussion_id, group_id)
    try:
        facilitator_writes.delete_group(group, by=request.user)
    except Refused as refused:
        discussion = discussion_for_user(request, discussion_id)
        return _groups_page(request, discussion, error=refused.message, status=refused.status)
    return HttpResponseRedirect(reverse("facilitator:groups", args=[discussion_id]), status=303)
