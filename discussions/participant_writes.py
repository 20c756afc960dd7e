"""Everything a participant writes, one function per action.

Each write runs in one transaction that takes the discussion's lock shared, then
the participant's row, and last bumps the group's revision (discussions/locks.py
says why in that order), so a poll that sees the old revision knows nothing
changed. A request the app will not carry out raises `Refused`.

Every function is idempotent where a phone may send the same request twice (a double tap, a retry
after a lost response): the ballot is replaced as a whole, an endorsement says
whether it should exist, and an entry the author already wrote is not written
again.
"""

import random
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import timer
from discussions.locks import lock_discussion_shared, lock_for_participant
from discussions.models import (
    ENDORSEMENT_MODELS,
    NAME_MAX,
    TEXT_MAX,
    ActivityProposal,
    Discussion,
    Group,
    Participant,
    Ranking,
)
from discussions.refused import Refused

# --- Reading input ------------------------------------------------------------


def clean_text(raw: str | None, *, max_length: int = TEXT_MAX, required: bool = True) -> str:
    """Trim, refuse what cannot be shown: empty, over-long, control characters."""
    text = (raw or "").strip()
    if required and not text:
        raise Refused(_("Skriv något först."))
    if len(text) > max_length:
        raise Refused(
            _("Texten är för lång: högst %(max)d tecken, du skrev %(n)d.")
            % {"max": max_length, "n": len(text)}
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        raise Refused(_("Texten innehåller otillåtna kontrolltecken."))
    return text.replace("\r\n", "\n")


def clean_name(raw: str | None) -> str:
    return clean_text(raw, max_length=NAME_MAX, required=False).replace("\n", " ")


def parse_order(raw: str | None, numbers: list[int]) -> list[int]:
    """ "3,1,5" → [3, 1, 5]: recommendation numbers, best first; may be empty."""
    parts = [p.strip() for p in (raw or "").split(",") if p.strip()]
    try:
        order = [int(p) for p in parts]
    except ValueError:
        raise Refused(_("Rangordningen kunde inte läsas.")) from None
    known = set(numbers)
    if any(n not in known for n in order):
        raise Refused(_("Rangordningen innehåller en rekommendation som inte finns."))
    if len(set(order)) != len(order):
        raise Refused(_("En rekommendation kan bara rangordnas en gång."))
    return order


def card_order(recommendations: list, participant: Participant) -> list:
    """The order the cards are shown in: the slide's, or shuffled per phone."""
    if not participant.discussion.shuffle_recommendations:
        return recommendations
    shuffled = list(recommendations)
    # Seeded per participant, so the cards stay put across reloads.
    random.Random(participant.shuffle_seed).shuffle(shuffled)
    return shuffled


# --- The clock gate -----------------------------------------------------------


def require_open(discussion: Discussion, now=None) -> None:
    now = now or timezone.now()
    clock = discussion.clock
    # Requests already on their way when the time ran out are still accepted.
    if timer.accepts_submissions(clock, now, settings.SUBMISSION_GRACE_SECONDS):
        return
    if timer.state(clock, now) is timer.State.NOT_STARTED:
        raise Refused(_("Diskussionen har inte börjat än. Dina svar sparas när den startar."), 409)
    raise Refused(_("Tiden är ute. Diskussionen är avslutad och inga fler svar tas emot."), 409)


# --- Writes -------------------------------------------------------------------


def save_ranking(participant: Participant, order: list[int], recommendations: list) -> bool:
    """Replace the participant's ballot with `order` (numbers, best first, already
    checked by parse_order against `recommendations`, the discussion's set).

    Returns whether anything changed. Sending the same order twice is a no-op.
    """
    recs = {r.number: r for r in recommendations}
    with transaction.atomic():
        # The participant's lock serialises two tabs of the same phone: the second
        # waits, then replaces the ballot the first wrote. Without it both would
        # delete the old rows and both insert, and one would hit the unique
        # constraint on position (tests/concurrency shows both).
        locked = lock_for_participant(participant)
        require_open(locked)
        current = list(
            Ranking.objects.filter(participant=participant)
            .order_by("position")
            .values_list("recommendation__number", flat=True)
        )
        if current == order:
            return False
        Ranking.objects.filter(participant=participant).delete()
        Ranking.objects.bulk_create(
            Ranking(participant=participant, recommendation=recs[number], position=position)
            for position, number in enumerate(order, start=1)
        )
        participant.ranked_at = timezone.now() if order else None
        Participant.objects.filter(pk=participant.pk).update(ranked_at=participant.ranked_at)
        Group.bump_revision(locked.locked_group_id)
    return True


def save_why(participant: Participant, text: str) -> bool:
    with transaction.atomic():
        locked = lock_for_participant(participant)
        require_open(locked)
        changed = Participant.objects.filter(pk=participant.pk).exclude(why=text).update(why=text)
        if changed:
            Group.bump_revision(locked.locked_group_id)
    participant.why = text
    return bool(changed)


def change_group(participant: Participant, group_id: int, display_name: str) -> None:
    group = Group.objects.filter(pk=group_id, discussion_id=participant.discussion_id).first()
    if group is None:
        raise Refused(_("Välj en av grupperna i listan."))
    with transaction.atomic():
        locked = lock_for_participant(participant)
        if timer.state(locked.clock, timezone.now()) is timer.State.ENDED:
            raise Refused(
                _("Tiden är ute. Diskussionen är avslutad och inga fler svar tas emot."), 409
            )
        Participant.objects.filter(pk=participant.pk).update(group=group, display_name=display_name)
        # Both tables see the change; in id order, so two phones moving in opposite
        # directions cannot each hold the row the other waits for.
        for group_id in sorted({locked.locked_group_id, group.pk}):
            Group.bump_revision(group_id)
    participant.group = group
    participant.display_name = display_name


def join(discussion: Discussion, group_id: int | None, display_name: str) -> Participant:
    group = Group.objects.filter(pk=group_id or 0, discussion=discussion).first()
    if group is None:
        raise Refused(_("Välj din grupp (ditt bord) i listan."))
    with transaction.atomic():
        lock_discussion_shared(discussion.pk)
        participant = Participant.objects.create(
            discussion=discussion, group=group, display_name=display_name
        )
        Group.bump_revision(group.pk)
    return participant


def add_entry(participant: Participant, model, text: str, recommendation=None):
    """Add a missing area or an activity; the same text twice from one author is one entry."""
    extra = {"recommendation": recommendation} if model is ActivityProposal else {}
    with transaction.atomic():
        locked = lock_for_participant(participant)
        require_open(locked)
        existing = model.objects.filter(author=participant, text=text, **extra).first()
        if existing is not None:
            return existing
        entry = model.objects.create(
            discussion_id=participant.discussion_id,
            group_id=locked.locked_group_id,
            author=participant,
            text=text,
            **extra,
        )
        Group.bump_revision(locked.locked_group_id)
    return entry


def edit_entry(participant: Participant, entry, text: str, recommendation=None) -> None:
    with transaction.atomic():
        require_open(lock_for_participant(participant))
        fields = {"text": text, "updated_at": timezone.now()}
        if recommendation is not None:
            fields["recommendation"] = recommendation
        if type(entry).objects.filter(pk=entry.pk, author=participant).update(**fields):
            Group.bump_revision(entry.group_id)


def withdraw_entry(participant: Participant, entry) -> None:
    with transaction.atomic():
        require_open(lock_for_participant(participant))
        deleted, _rows = type(entry).objects.filter(pk=entry.pk, author=participant).delete()
        if deleted:
            Group.bump_revision(entry.group_id)


@dataclass
class EndorseResult:
    entry_id: int
    endorsed: bool


def endorse(participant: Participant, entry, want: bool) -> EndorseResult:
    """Set whether this participant +1s the entry; saying the same twice changes nothing."""
    model = type(entry)
    endorsement_model = ENDORSEMENT_MODELS[model]
    with transaction.atomic():
        require_open(lock_for_participant(participant))
        # Read under the discussion's shared lock: a facilitator's merge holds it
        # exclusively, so an endorsement lands either before the merge (and is moved
        # with the others) or after it, on the entry it was merged into.
        target = model.objects.get(pk=entry.pk)
        if target.merged_into_id is not None:
            target = model.objects.get(pk=target.merged_into_id)
        mine = endorsement_model.objects.filter(entry=target, participant=participant)
        if want:
            if not mine.exists():
                try:
                    with transaction.atomic():
                        endorsement_model.objects.create(entry=target, participant=participant)
                except IntegrityError:
                    # The same +1 from another tab got there first: already done.
                    return EndorseResult(target.pk, True)
                # The count shows on the entry's table (which may not be the endorser's).
                Group.bump_revision(target.group_id)
        elif mine.delete()[0]:
            Group.bump_revision(target.group_id)
    return EndorseResult(target.pk, want)
