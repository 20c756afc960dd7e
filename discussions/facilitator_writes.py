"""Everything a facilitator changes, one function per action.

Like discussions/participant_writes.py for participants: each write runs in one
transaction that takes the discussion's lock first, exclusively (so it waits for the
phones' writes in flight and holds off new ones; discussions/locks.py), and bumps
the discussion's revision, which every phone and screen compares. A request the app
will not carry out raises `Refused` with a message for people. The callers have
already checked that the user may run this discussion.

Moderation (hide, restore, merge, undo a merge) and changes to the groups are also
written to the discussion's log (ModerationEvent) in the same transaction: `by` is
the facilitator, `reason` what they typed, if anything.
"""

import re

from django.db import IntegrityError, transaction
from django.db.models import F, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from discussions import timer
from discussions.locks import lock_discussion
from discussions.models import (
    ENDORSEMENT_MODELS,
    ENTRY_MODELS,
    TEXT_MAX,
    Discussion,
    Group,
    ModerationAction,
    ModerationEvent,
    Participant,
    ProjectorView,
)
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


def _kind(model) -> str:
    return next(kind for kind, entry_model in ENTRY_MODELS.items() if entry_model is model)


def _log(discussion_id: int, by, action: str, kind: str, **fields) -> ModerationEvent:
    for name in ("text", "target_text", "reason"):
        if name in fields:
            fields[name] = (fields[name] or "")[:TEXT_MAX]
    return ModerationEvent.objects.create(
        discussion_id=discussion_id,
        user=by if by is not None and by.is_authenticated else None,
        username=by.get_username() if by is not None else "",
        action=action,
        kind=kind,
        **fields,
    )


def set_hidden(
    model, discussion_id: int, entry_id: int, hidden: bool, *, by=None, reason: str = ""
) -> None:
    """Hide an entry from phones and results, or restore it; nothing is deleted."""
    with transaction.atomic():
        lock_discussion(discussion_id)
        entry = model.objects.filter(pk=entry_id, discussion_id=discussion_id).first()
        if entry is None:
            raise Refused(_("Inlägget finns inte längre."), 404)
        # Pressing the same button twice (a retry) changes nothing and logs nothing.
        if entry.hidden == hidden:
            return
        model.objects.filter(pk=entry_id).update(hidden=hidden)
        action = ModerationAction.HIDE if hidden else ModerationAction.UNHIDE
        _log(
            discussion_id,
            by,
            action,
            _kind(model),
            object_id=entry_id,
            text=entry.text,
            reason=reason,
        )
        Discussion.bump_revision(discussion_id)


def merge(
    model, discussion_id: int, source_id: int, target_id: int, *, by=None, reason: str = ""
) -> ModerationEvent:
    """Merge the duplicate `source` into `target`: its +1s move over, none counted twice.

    A participant who endorsed both keeps the one on the target; the other one is
    deleted, so every endorsement row still stands for one distinct person. Entries
    already merged into the source follow it to the target, so `merged_into` always
    points at an entry that is shown (the phone follows it one step only). The log
    keeps what moved, so `unmerge` can put it back.
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
        on_target = set(
            endorsement_model.objects.filter(entry=target).values_list("participant_id", flat=True)
        )
        moved, dropped = [], []
        for participant_id, created_at in endorsement_model.objects.filter(
            entry=source
        ).values_list("participant_id", "created_at"):
            if participant_id in on_target:
                dropped.append([participant_id, created_at.isoformat()])
            else:
                moved.append(participant_id)
        followers = list(model.objects.filter(merged_into=source).values_list("pk", flat=True))
        endorsement_model.objects.filter(entry=source, participant_id__in=on_target).delete()
        endorsement_model.objects.filter(entry=source).update(entry=target)
        model.objects.filter(merged_into=source).update(merged_into=target)
        model.objects.filter(pk=source.pk).update(merged_into=target, updated_at=timezone.now())
        event = _log(
            discussion_id,
            by,
            ModerationAction.MERGE,
            _kind(model),
            object_id=source.pk,
            text=source.text,
            target_id=target.pk,
            target_text=target.text,
            reason=reason,
            undo={
                "moved": moved,
                "dropped": dropped,
                "followers": followers,
                "updated_at": source.updated_at.isoformat(),
            },
        )
        Discussion.bump_revision(discussion_id)
    return event


def unmerge(discussion_id: int, event_id: int, *, by=None, reason: str = "") -> ModerationEvent:
    """Undo the merge logged as `event_id`: the source is shown on its own again, with
    exactly the +1s it had (those the merge moved go back; those it dropped because
    the person had +1'd both are made again, as of when they were given), and the
    entries that had been merged into it point at it again. +1s given to the target
    since stay there. Refused once anything the merge did has changed since."""
    with transaction.atomic():
        lock_discussion(discussion_id)
        event = ModerationEvent.objects.filter(
            pk=event_id, discussion_id=discussion_id, action=ModerationAction.MERGE
        ).first()
        if event is None or event.kind not in ENTRY_MODELS:
            raise Refused(_("Den sammanslagningen finns inte."), 404)
        if event.undone_by_id is not None:
            raise Refused(_("Sammanslagningen är redan ångrad."), 409)
        model = ENTRY_MODELS[event.kind]
        endorsement_model = ENDORSEMENT_MODELS[model]
        source = model.objects.filter(pk=event.object_id, discussion_id=discussion_id).first()
        target = model.objects.filter(pk=event.target_id, discussion_id=discussion_id).first()
        if source is None or target is None:
            raise Refused(_("Inlägget finns inte längre."), 404)
        if source.merged_into_id != target.pk or target.merged_into_id is not None:
            raise Refused(
                _("Inläggen har slagits ihop vidare sedan dess: ångra den senare först."), 409
            )
        undo = event.undo
        endorsement_model.objects.filter(entry=target, participant_id__in=undo["moved"]).update(
            entry=source
        )
        dropped = dict(undo["dropped"])
        still_here = set(Participant.objects.filter(pk__in=dropped).values_list("pk", flat=True))
        endorsement_model.objects.bulk_create(
            [endorsement_model(entry=source, participant_id=pk) for pk in still_here],
            ignore_conflicts=True,
        )
        for pk in still_here:
            # auto_now_add set "now" on create: put back when it was given.
            endorsement_model.objects.filter(entry=source, participant_id=pk).update(
                created_at=dropped[pk]
            )
        model.objects.filter(pk__in=undo["followers"], merged_into=target).update(
            merged_into=source
        )
        model.objects.filter(pk=source.pk).update(merged_into=None, updated_at=undo["updated_at"])
        undone = _log(
            discussion_id,
            by,
            ModerationAction.UNMERGE,
            event.kind,
            object_id=source.pk,
            text=source.text,
            target_id=target.pk,
            target_text=target.text,
            reason=reason,
        )
        ModerationEvent.objects.filter(pk=event.pk).update(undone_by=undone)
        Discussion.bump_revision(discussion_id)
    return undone


# --- Groups -------------------------------------------------------------------------

_TABLE_NAME = re.compile(r"^Bord (\d+)$")


def create_tables(discussion: Discussion, count: int, *, by=None) -> list[Group]:
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
        names = ", ".join(group.name for group in created)
        _log(discussion.pk, by, ModerationAction.ADD_GROUPS, "group", text=names)
        Discussion.bump_revision(discussion.pk)
    return created


def rename_group(group: Group, name: str, *, by=None) -> None:
    with transaction.atomic():
        lock_discussion(group.discussion_id)
        old = Group.objects.filter(pk=group.pk).values_list("name", flat=True).first()
        try:
            with transaction.atomic():
                Group.objects.filter(pk=group.pk).update(name=name)
        except IntegrityError:
            raise Refused(_("Det finns redan en grupp med det namnet."), 409) from None
        if old is not None and old != name:
            _log(
                group.discussion_id,
                by,
                ModerationAction.RENAME,
                "group",
                object_id=group.pk,
                text=old,
                target_text=name,
            )
        Discussion.bump_revision(group.discussion_id)


def delete_group(group: Group, *, by=None) -> None:
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
            pk = group.pk
            revision = Group.objects.filter(pk=pk).values_list("revision", flat=True).first()
            group.delete()
            _log(
                group.discussion_id,
                by,
                ModerationAction.DELETE_GROUP,
                "group",
                object_id=pk,
                text=group.name,
            )
            # The group's revision moves into the discussion's, so their sum (the
            # live revision a dashboard compares) never falls back to an old value.
            Discussion.bump_revision(group.discussion_id, by=1 + (revision or 0))
    except RestrictedError:
        # Someone joined (or wrote from) this group after the check above.
        raise Refused(
            _("Gruppen %(name)s används och kan inte tas bort.") % {"name": group.name}, 409
        ) from None
