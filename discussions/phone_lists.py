"""The lists of missing areas and activities on a phone, drawn once per table.

Every phone at a table shows the same entries; only the few that phone wrote or
+1'd look different on it. So a table's list is drawn once per revision as seen
by nobody in particular and kept in the cache, and each phone draws just its own
few rows again and puts them in. In a hall where a table of fifty has a hundred
entries, a redraw went from 11 ms to a few: the lists are redrawn on every phone of
a table after each change there, and answer every write to them.

The shared drawing cannot carry a CSRF token (each browser has its own), so its
forms carry CSRF_SLOT and the phone's own token replaces it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from discussions.models import ActivityProposal, Participant
from discussions.services import ENDORSEMENT_MODELS, ENTRY_MODELS

SEPARATOR = "<!-- /entry -->\n"
# NUL cannot occur in anything a person typed (services.clean_text refuses control
# characters), so only the slots are replaced.
CSRF_SLOT = "\x00csrf\x00"
# A new key with every revision, so nothing stale is served; the timeout frees memory.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class DrawnList:
    html: SafeString  # the <li> rows, ready to go inside the list's <ul>
    count: int


@dataclass(frozen=True)
class _Row:
    pk: int
    created_at: datetime
    html: str


def draw(request, participant: Participant, model, *, revisions: tuple[int, int], open: bool):
    """The participant's list of `model` entries: their table's and their own.

    `revisions` is (the discussion's, the group's), read before this is called.
    """
    kind = _kind_of(model)
    shared = _shared_rows(participant, model, kind, revisions, open)
    own = {row.pk: row for row in _own_rows(participant, model, kind, open)}
    rows = [own.pop(row.pk, row) for row in shared]
    if own:  # written at another table before moving to this one
        rows = sorted([*rows, *own.values()], key=lambda row: (row.created_at, row.pk))
    html = "".join(row.html for row in rows)
    if open:
        html = html.replace(CSRF_SLOT, get_token(request))
    # Escaped by the template that drew each row.
    return DrawnList(mark_safe(html), len(rows))


def _shared_rows(participant, model, kind, revisions, open) -> list[_Row]:
    discussion = participant.discussion
    key = (
        f"gf:phone-list:{discussion.pk}:{discussion.created_at.timestamp()}:{kind}:"
        f"{participant.group_id}:{revisions[0]}:{revisions[1]}:{get_language()}:{int(open)}"
    )
    rows = cache.get(key)
    if rows is None:
        entries = _visible(model, participant).filter(group_id=participant.group_id)
        entries = list(_values(entries.annotate(n_endorsements=Count("endorsements")), model))
        for entry in entries:
            entry["mine"] = entry["endorsed"] = False
        rows = _drawn(entries, participant, kind, open)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def _own_rows(participant, model, kind, open) -> list[_Row]:
    """The rows that look different on this phone: its own, and those it +1'd."""
    endorsements = ENDORSEMENT_MODELS[model].objects.filter(participant=participant)
    entries = _visible(model, participant).filter(
        Q(author=participant)
        | Q(group_id=participant.group_id, pk__in=endorsements.values("entry_id"))
    )
    entries = entries.annotate(
        n_endorsements=Count("endorsements"),
        endorsed=Exists(endorsements.filter(entry=OuterRef("pk"))),
    )
    entries = list(_values(entries, model, "endorsed"))
    for entry in entries:
        entry["mine"] = entry["author_id"] == participant.pk
    return _drawn(entries, participant, kind, open)


def _visible(model, participant):
    return model.objects.filter(
        discussion_id=participant.discussion_id, hidden=False, merged_into__isnull=True
    ).order_by("created_at", "pk")


def _values(queryset, model, *extra):
    named = {"rec_number": F("recommendation__number")} if model is ActivityProposal else {}
    return queryset.values(
        "pk", "text", "author_id", "created_at", "n_endorsements", *extra, **named
    )


def _drawn(entries: list[dict], participant, kind: str, open: bool) -> list[_Row]:
    if not entries:
        return []
    # The URLs of each entry's buttons from one reverse() instead of three per entry.
    base = reverse("entry_add", args=[participant.discussion_id, kind])
    for entry in entries:
        entry["id"] = f"{kind}-{entry['pk']}"
        entry["endorse_url"] = f"{base}{entry['pk']}/endorse/"
        entry["edit_url"] = f"{base}{entry['pk']}/edit/"
        entry["withdraw_url"] = f"{base}{entry['pk']}/withdraw/"
    html = render_to_string(
        "discussions/phone_entry_rows.html",
        {
            "entries": entries,
            "open": open,
            "part": "areas" if kind == "area" else "activities",
            "csrf_slot": mark_safe(CSRF_SLOT),
            "separator": mark_safe(SEPARATOR),
        },
    )
    pieces = html.split(SEPARATOR)[:-1]
    return [
        _Row(entry["pk"], entry["created_at"], piece)
        for entry, piece in zip(entries, pieces, strict=True)
    ]


def _kind_of(model) -> str:
    return next(kind for kind, m in ENTRY_MODELS.items() if m is model)
