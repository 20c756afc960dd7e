"""The lists of missing areas and activities on a phone.

Every phone at a table shows the same entries; only the few that phone wrote or
+1'd look different on it. In a hall where a table of fifty has a hundred entries
and some table changes every second, its lists are redrawn on many phones, and
answer every write to them. A row's drawing depends only on a few values (its
text, its count, whether it is this phone's or +1'd by it, whether the time is
open, the language), so each process keeps rows drawn under exactly those values
and a redraw draws only rows it has not seen in that state: one query per list,
and a few rows of template at most. Nothing can be stale: whatever would change a
row is in its key.

A kept row cannot carry a CSRF token (each browser has its own), so its forms carry
CSRF_SLOT and the phone's own token replaces it.
"""

import functools
from dataclasses import dataclass

from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from discussions.models import ActivityProposal, Participant
from discussions.services import ENDORSEMENT_MODELS, ENTRY_MODELS
from recommendations.models import Recommendation

SEPARATOR = "<!-- /entry -->\n"
# NUL cannot occur in anything a person typed (services.clean_text refuses control
# characters), so only the slots are replaced.
CSRF_SLOT = "\x00csrf\x00"
# Rows kept per process: a bound, not an LRU. A hall of 2,000 writes some 4,000
# entries; each is kept in the few states it passes through (its count rising).
MAX_KEPT_ROWS = 50_000
_kept_rows: dict[tuple, str] = {}


@dataclass(frozen=True)
class DrawnList:
    html: SafeString  # the <li> rows, ready to go inside the list's <ul>
    count: int


def draw(request, participant: Participant, model, *, open: bool):
    """The participant's list of `model` entries: their table's, and their own from
    a table they left, oldest first."""
    kind = _kind_of(model)
    with connection.cursor() as cursor:
        cursor.execute(
            _list_sql(model),
            {
                "participant": participant.pk,
                "discussion": participant.discussion_id,
                "group": participant.group_id,
                "false": False,
            },
        )
        found = cursor.fetchall()
    entries = [
        {
            "pk": pk,
            "text": text,
            "n_endorsements": n,
            "endorsed": bool(endorsed),
            "mine": author_id == participant.pk,
            "rec_number": rec_number,
        }
        for pk, text, author_id, n, endorsed, rec_number in found
    ]
    language = get_language()
    keys = []
    for entry in entries:
        keys.append(
            (
                participant.discussion_id,
                kind,
                entry["pk"],
                entry["rec_number"],
                entry["text"],
                entry["n_endorsements"],
                entry["mine"],
                entry["endorsed"],
                open,
                language,
            )
        )
    rows = [_kept_rows.get(key) for key in keys]
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing:
        drawn = _drawn([entries[i] for i in missing], participant, kind, open)
        if len(_kept_rows) + len(drawn) > MAX_KEPT_ROWS:
            _kept_rows.clear()
        for i, row in zip(missing, drawn, strict=True):
            # Threads of a process may draw the same row at once: the same text.
            rows[i] = _kept_rows[keys[i]] = row
    html = "".join(rows)
    if open:
        html = html.replace(CSRF_SLOT, get_token(request))
    # Escaped by the template that drew each row.
    return DrawnList(mark_safe(html), len(entries))


@functools.cache
def _list_sql(model) -> str:
    """One statement for a list, built once: the ORM spent longer building it (a
    count, an exists and an or) than the database spent answering it."""
    endorsement = ENDORSEMENT_MODELS[model]._meta.db_table
    entry = model._meta.db_table
    if model is ActivityProposal:
        rec_number = "r.number"
        join = f"LEFT JOIN {Recommendation._meta.db_table} r ON r.id = e.recommendation_id"
    else:
        rec_number, join = "NULL", ""
    return (
        f"SELECT e.id, e.text, e.author_id,"
        f" (SELECT COUNT(*) FROM {endorsement} x WHERE x.entry_id = e.id),"
        f" EXISTS (SELECT 1 FROM {endorsement} y"
        f"  WHERE y.entry_id = e.id AND y.participant_id = %(participant)s),"
        f" {rec_number}"
        f" FROM {entry} e {join}"
        f" WHERE e.discussion_id = %(discussion)s"
        f" AND (e.group_id = %(group)s OR e.author_id = %(participant)s)"
        f" AND e.hidden = %(false)s AND e.merged_into_id IS NULL"
        f" ORDER BY e.created_at, e.id"
    )


def _drawn(entries: list[dict], participant, kind: str, open: bool) -> list[str]:
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
    if len(pieces) != len(entries):
        raise AssertionError("a row without its separator")  # the template is broken
    return pieces


def _kind_of(model) -> str:
    return next(kind for kind, m in ENTRY_MODELS.items() if m is model)
