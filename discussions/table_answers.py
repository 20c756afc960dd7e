"""A table's agreed answer: its top recommendation and why, written together.

After ranking on their own, the members of a table agree on one answer, which any
of their phones may edit. Last write wins is not good enough for a shared answer:
a member who saves over a version they never saw would erase a neighbour's words
without anyone noticing. So every save adds a version (models.TableAnswer), and a
save says which version it was based on (`base`, the newest the phone showed,
0 for none). If another member saved since, the save is refused as `Stale`
carrying their version, and the phone shows both and lets its member choose:
save over it knowingly (base = the newest), or keep theirs.

The write follows participant_writes.py: one transaction, the discussion's lock
shared, the participant's row, then the group's row (discussions/locks.py says
why in that order), the clock checked, and the group's revision bumped last so
the other phones of the table see the new version on their next poll.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from discussions.locks import lock_for_participant
from discussions.models import Group, Participant, TableAnswer
from discussions.participant_writes import require_open
from discussions.refused import Refused


class Stale(Refused):
    """The save was based on an older version than the newest: nothing was written."""

    def __init__(self, newest: TableAnswer | None):
        super().__init__(_("Någon vid bordet hann spara ett nytt svar innan du sparade."), 409)
        self.newest = newest


@dataclass(frozen=True)
class State:
    """A table's answer as its phones show it: every version, newest first."""

    versions: list[TableAnswer]

    @property
    def newest(self) -> TableAnswer | None:
        return self.versions[0] if self.versions else None

    @property
    def base(self) -> int:
        """The version a form shown now is based on (0: none yet)."""
        return self.versions[0].number if self.versions else 0


def state(group_id: int) -> State:
    """One query: every version of the table's answer, newest first."""
    return State(
        list(
            TableAnswer.objects.filter(group_id=group_id)
            .select_related("recommendation")
            .order_by("-number")
        )
    )


def lock_group(group_id: int) -> None:
    """The group's row, for the rest of the transaction (a no-op on SQLite, whose
    IMMEDIATE transactions serialise every write anyway)."""
    Group.objects.select_for_update().filter(pk=group_id).values_list("pk").first()


def save(participant: Participant, base: int, recommendation, why: str) -> TableAnswer:
    """Add a version of the table's answer, based on version `base` (0: none).

    Raises Stale when the table's newest version is not `base`, unless it is the
    very answer this participant is sending again (a double tap, a retry after a
    lost response), which is returned as it is. Raises Refused when closed.
    """
    with transaction.atomic():
        locked = lock_for_participant(participant)
        require_open(locked)
        group_id = locked.locked_group_id
        # Why lock the group's row: two members saving on the same base at the same
        # instant would both read the same newest version, and both go on. The
        # second would then either add its version over one it never saw (last
        # write wins, the thing this module exists to prevent) or hit the unique
        # (group, number) constraint as a 500 (tests/concurrency shows it). With
        # the row locked, the second waits, reads the first's version and is told.
        lock_group(group_id)
        newest = (
            TableAnswer.objects.filter(group_id=group_id)
            .select_related("recommendation")
            .order_by("-number")
            .first()
        )
        current = newest.number if newest else 0
        recommendation_id = recommendation.pk if recommendation else None
        if (
            newest is not None
            and newest.author_id == participant.pk
            and newest.recommendation_id == recommendation_id
            and newest.why == why
            and base in (current, current - 1)
        ):
            return newest  # the same answer again: already saved
        if base != current:
            raise Stale(newest)
        answer = TableAnswer.objects.create(
            group_id=group_id,
            number=current + 1,
            recommendation=recommendation,
            why=why,
            author=participant,
            author_name=participant.display_name,
        )
        Group.bump_revision(group_id)
    return answer
