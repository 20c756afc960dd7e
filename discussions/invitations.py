"""Inviting another facilitator into a workshop, answering an invitation, leaving.

An invitation waits until the invitee accepts or declines it on their list of
workshops: nobody is put into a workshop without their consent. Inviting answers
the same whether or not the username exists, is active, is a member already or
was invited before, so the form tells nobody which accounts there are.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from discussions.models import Invitation, Workshop
from discussions.refused import Refused


def invite(workshop: Workshop, username: str, invited_by) -> None:
    """Invite the active account with this username, if there is one and it is not
    a member yet; else nothing, without a word."""
    invitee = get_user_model().objects.filter(username=username, is_active=True).first()
    if invitee is None or workshop.members.filter(pk=invitee.pk).exists():
        return
    try:
        with transaction.atomic():
            Invitation.objects.get_or_create(
                workshop=workshop, invitee=invitee, defaults={"invited_by": invited_by}
            )
    except IntegrityError:  # the same invitation from another tab got there first
        pass


def accept(invitation: Invitation) -> None:
    with transaction.atomic():
        invitation.workshop.members.add(invitation.invitee)
        Invitation.objects.filter(pk=invitation.pk).delete()


def decline(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).delete()


def leave(workshop: Workshop, user) -> None:
    """Take the user off the workshop's members; never its last one, whom nobody
    could replace (only a member can invite)."""
    with transaction.atomic():
        # Lock the workshop's row: two members leaving at once cannot both pass the
        # count and leave nobody.
        Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
        if not workshop.members.exclude(pk=user.pk).exists():
            raise Refused(
                _(
                    "Du är den enda facilitatorn i workshoppen och kan inte lämna den. "
                    "Bjud in någon annan först."
                ),
                409,
            )
        workshop.members.remove(user)
