"""Everything a facilitator changes, one function per action.

Like discussions/participant_writes.py for participants: each write runs in one
transaction that takes the discussion's lock first, exclusively (so it waits for the
phones' writes in flight and holds off new ones; discussions/locks.py), and bumps
the discussion's revision, which every phone and screen compares. A request the app
will not carry out raises `Refused` with a message for people. The callers have
already checked that the user may run this discussion.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import timer
from discussions.locks import lock_discussion
from discussions.models import ENDORSEMENT_MODELS, Discussion, Group, ProjectorView
from discussions.refused import Refused

MAX_TABLES = 60

# What each button does to the clock; "toggle" is the space bar.
TIMER_ACTIONS = {
    "start": timer.start,
    "pause": timer.pause,
    "resume": timer.resume,
    "toggle": timer.toggle,
    "extend1": lambda clock, now: timer.extend(clock, 60, now),
    "extend5": lambda clock, now: timer.extend(clock, 5 * 60, now),
    "end": timer.end,
}


def _refusal(action: str, clock: timer.Clock, now) -> Refused:
    """A TimerError in words for the facilitator: what is going on, not what failed."""
    current = timer.state(clock, now)
    if current is timer.State.ENDED:
        if action.startswith("extend"):
            message = _("Diskussionen är avslutad och kan inte förlängas.")
        else:
            message = _("Diskussionen är redan avslutad.")
    elif current is timer.State.NOT_STARTED:
        message = _("Diskussionen har inte startat än.")
    elif current is timer.State.PAUSED:
        message = (
            _("Diskussionen är redan pausad.")
            if action == "pause"
            else _("Diskussionen är pausad: tryck Fortsätt.")
        )
    else:
        message = (
            _("Diskussionen pågår redan.")
            if action in ("start", "resume")
            else _("Det går inte just nu.")
        )
    return Refused(message, 409)


def run_timer(discussion_id: int, action: str, now=None) -> Discussion:
    """Apply one timer button to the discussion and return it as saved."""
    transition = TIMER_ACTIONS.get(action)
    if transition is None:
        raise Refused(_("Okänd knapp."), 400)
    with transaction.atomic():
        # Locked, so two facilitators pressing at once act one after the other on
        # the clock as the first left it, instead of one overwriting the other; and
        # "now" is read once the phones' writes in flight have committed.
        discussion = lock_discussion(discussion_id)
        now = now or timezone.now()
        try:
            clock = transition(discussion.clock, now)
        except timer.TimerError:
            raise _refusal(action, discussion.clock, now) from None
        discussion.set_clock(clock)
        discussion.save(
            update_fields=[
                "duration_seconds",
                "started_at",
                "paused_at",
                "paused_seconds",
                "ended_at",
            ]
        )
        Discussion.bump_revision(discussion_id)
    try:
        return Discussion.objects.get(pk=discussion_id)
    except Discussion.DoesNotExist:  # deleted in between: nothing to show
        raise Refused(_("Diskussionen finns inte längre."), 404) from None


def reveal_results(discussion_id: int, revealed: bool) -> None:
    with transaction.atomic():
        lock_discussion(discussion_id)
        changed = (
            Discussion.objects.filter(pk=discussion_id)
            .exclude(results_revealed=revealed)
            .update(results_revealed=revealed)
        )
        # Pressing the same button twice (a retry) changes nothing and bumps nothing.
        if changed:
            Discussion.bump_revision(discussion_id)


# --- The projector ------------------------------------------------------------------
# What the projector shows touches no answer and nothing a phone shows: no lock, and
# the projector's own counter instead of the revision (see Discussion.projector_shown).

MAX_PROJECTOR_PAGE = 9999


def show_on_projector(discussion_id: int, view: str, page: int = 1) -> None:
    """Show `view` (a ProjectorView) on every projector, at its page `page`. Asked
    twice, it still sends every projector there: one opened by hand may show another."""
    if view not in ProjectorView.values:
        raise Refused(_("Ogiltig begäran."))
    if not 1 <= page <= MAX_PROJECTOR_PAGE:
        raise Refused(_("Ogiltig begäran."))
    Discussion.objects.filter(pk=discussion_id).update(
        projector_view=view, projector_page=page, projector_shown=F("projector_shown") + 1
    )


def show_names(discussion_id: int, shown: bool) -> None:
    """Show the names people gave beside their reasons on the projector, or not."""
    Discussion.objects.filter(pk=discussion_id).exclude(projector_names=shown).update(
        projector_names=shown, projector_shown=F("projector_shown") + 1
    )


# --- Moderation ---------------------------------------------------------------------


def set_hidden(model, discussion_id: int, entry_id: int, hidden: bool) -> None:
    """Hide an entry from phones and results, or restore it; nothing is deleted."""
    with transaction.atomic():
        lock_discussion(discussion_id)
        changed = (
            model.objects.filter(pk=entry_id, discussion_id=discussion_id)
            .exclude(hidden=hidden)
            .update(hidden=hidden)
        )
        if changed:
            Discussion.bump_revision(discussion_id)
        elif not model.objects.filter(pk=entry_id, discussion_id=discussion_id).exists():
            raise Refused(_("Inlägget finns inte längre."), 404)


def merge(model, discussion_id: int, source_id: int, target_id: int) -> None:
    """Merge the duplicate `source` into `target`: its +1s move over, none counted twice.

    A participant who endorsed both keeps the one on the target; the other one is
    deleted, so every endorsement row still stands for one distinct person. Entries
    already merged into the source follow it to the target, so `merged_into` always
    points at an entry that is shown (the phone follows it one step only).
    """
    if source_id == target_id:
        raise Refused(_("Ett inlägg kan inte slås ihop med sig självt."))
    endorsement_model = ENDORSEMENT_MODELS[model]
    with transaction.atomic():
        # The discussion's lock first, as in every write (discussions/locks.py):
        # participant_writes.endorse holds it while it adds a +1, so a +1 lands either before
        # the move (and is moved) or after it, on the target; and one lock order
        # means no deadlock with the phones.
        lock_discussion(discussion_id)
        locked = {
            entry.pk: entry
            for entry in model.objects.filter(
                pk__in=[source_id, target_id], discussion_id=discussion_id
            )
        }
        source, target = locked.get(source_id), locked.get(target_id)
        if source is None or target is None:
            raise Refused(_("Inlägget finns inte längre."), 404)
        if source.merged_into_id is not None:
            raise Refused(_("Inlägget är redan sammanslaget med ett annat."), 409)
        if target.merged_into_id is not None or target.hidden:
            raise Refused(_("Välj ett inlägg som visas, inte ett dolt eller sammanslaget."), 409)
        already = endorsement_model.objects.filter(entry=target).values("participant_id")
        endorsement_model.objects.filter(entry=source, participant_id__in=already).delete()
        endorsement_model.objects.filter(entry=source).update(entry=target)
        model.objects.filter(merged_into=source).update(merged_into=target)
        model.objects.filter(pk=source.pk).update(merged_into=target, updated_at=timezone.now())
        Discussion.bump_revision(discussion_id)


# --- Groups -------------------------------------------------------------------------

_TABLE_NAME = re.compile(r"^Bord (\d+)$")


def create_tables(discussion: Discussion, count: int) -> list[Group]:
    """Add `count` groups named Bord 1, Bord 2, … continuing after the highest one."""
    if not 1 <= count <= MAX_TABLES:
        raise Refused(_("Ange ett antal från 1 till %(max)d.") % {"max": MAX_TABLES})
    with transaction.atomic():
        # Locking the discussion serialises two facilitators adding tables at once.
        lock_discussion(discussion.pk)
        existing = list(discussion.groups.values_list("name", "position"))
        if len(existing) + count > MAX_TABLES:
            raise Refused(_("En diskussion kan ha högst %(max)d grupper.") % {"max": MAX_TABLES})
        numbers = [int(m[1]) for name, _pos in existing if (m := _TABLE_NAME.match(name))]
        names = {name for name, _pos in existing}
        number = max(numbers, default=0)
        position = max((pos for _name, pos in existing), default=0)
        created = []
        while len(created) < count:
            number += 1
            name = f"Bord {number}"
            if name in names:
                continue
            position += 1
            created.append(Group(discussion=discussion, name=name, position=position))
        Group.objects.bulk_create(created)
        Discussion.bump_revision(discussion.pk)
    return created


def rename_group(group: Group, name: str) -> None:
    with transaction.atomic():
        lock_discussion(group.discussion_id)
        try:
            with transaction.atomic():
                Group.objects.filter(pk=group.pk).update(name=name)
        except IntegrityError:
            raise Refused(_("Det finns redan en grupp med det namnet."), 409) from None
        Discussion.bump_revision(group.discussion_id)


def delete_group(group: Group) -> None:
    """Delete an empty group. One with people or entries in it stays (RESTRICT)."""
    if group.participants.exists():
        raise Refused(
            _("Gruppen %(name)s har deltagare och kan inte tas bort. Byt namn på den i stället.")
            % {"name": group.name},
            409,
        )
    try:
        with transaction.atomic():
            lock_discussion(group.discussion_id)
            revision = Group.objects.filter(pk=group.pk).values_list("revision", flat=True).first()
            group.delete()
            # The group's revision moves into the discussion's, so their sum (the
            # live revision a dashboard compares) never falls back to an old value.
            Discussion.bump_revision(group.discussion_id, by=1 + (revision or 0))
    except RestrictedError:
        # Someone joined (or wrote from) this group after the check above.
        raise Refused(
            _("Gruppen %(name)s används och kan inte tas bort.") % {"name": group.name}, 409
        ) from None
