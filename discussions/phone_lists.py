"""The lists of missing areas and activities on a phone: its table's entries, and
its own from a table it left, each with its +1s and whether this phone gave one.
Hidden entries and those merged into another are not shown, except to their author:
the author's own stay in the list with what became of them (hidden by the
facilitator, or merged into which one), so nothing they wrote silently vanishes.

A phone redraws both lists on every poll that finds its table changed and after
each of its own writes: some 40,000 lists of fifty to a hundred rows in the
2,000-phone benchmark, its largest cost after the polls themselves. So this module
does two things the rest of the read side leaves to Django, each measured
(bench/RESULTS.md):

- its query is written in SQL: through the ORM the same statement cost 3.1 ms of the
  app server's CPU to build and read, through a cursor 0.24 ms (94 entries);
  tests/test_phone.py checks it against the same question asked of the ORM;
- each row (templates/discussions/phone_entry.html) is drawn once per process and
  kept under everything its drawing depends on, a list's rows fetched with one
  get_many: a {% cache %} tag around each row cost 29 µs a row, as much again as
  the rest of the list.
"""

import functools
import hashlib
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from discussions import receipt
from discussions.models import ENDORSEMENT_MODELS, ENTRY_MODELS, ActivityProposal
from recommendations.models import Recommendation

ROW_SECONDS = 600
PARTS = {"area": "areas", "activity": "activities"}  # the parts of phone.html


@dataclass(frozen=True, slots=True)
class Item:
    pk: int
    text: str
    endorsements: int
    endorsed: bool  # by this phone
    mine: bool
    rec_number: int | None  # an activity's recommendation
    # Only ever set on the author's own (see the module's docstring): "hidden" by the
    # facilitator (or merged into one hidden since), or "merged" into `into`'s text.
    status: str = ""
    into: str = ""

    @property
    def drawn_as(self) -> str:
        """Everything its row's drawing depends on, for the row's cache key."""
        flags = f"{self.endorsed:d}{self.mine:d}{self.status}"
        into = f"/{len(self.into)}/{self.into}" if self.status else ""
        return f"{self.pk}/{self.endorsements}/{flags}/{self.rec_number}/{self.text}{into}"


def rows(discussion_id: int, group_id: int, participant_id: int, model, *, open: bool):
    """The participant's list of `model` entries as drawn rows (SafeStrings)."""
    items = entries(discussion_id, group_id, participant_id, model)
    kind = next(kind for kind, m in ENTRY_MODELS.items() if m is model)
    base = reverse("entry_add", args=[discussion_id, kind])
    # A key a cache takes (no spaces, short) for everything a row's drawing depends on.
    state = f"{base}|{open:d}|{get_language()}|"
    keys = [
        "phone-row:" + hashlib.md5((state + item.drawn_as).encode()).hexdigest() for item in items
    ]
    local = caches["local"]
    drawn = local.get_many(keys)
    missing = {
        key: render_to_string(
            "discussions/phone_entry.html",
            {"entry": item, "base": base, "kind": kind, "part": PARTS[kind], "open": open},
        )
        for key, item in zip(keys, items, strict=True)
        if key not in drawn
    }
    if missing:
        local.set_many(missing, ROW_SECONDS)
    return [drawn.get(key) or missing[key] for key in keys]


def entries(discussion_id: int, group_id: int, participant_id: int, model) -> list[Item]:
    """The entries of `model` a participant at `group_id` sees, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(model),
            {
                "discussion": discussion_id,
                "group": group_id,
                "participant": participant_id,
                "false": False,
            },
        )
        rows = cursor.fetchall()
    return [
        Item(
            pk,
            text,
            n,
            bool(endorsed),
            author_id == participant_id,
            rec_number,
            _status(hidden, into_id, into_hidden),
            into or "",
        )
        for pk, text, author_id, n, endorsed, rec_number, hidden, into_id, into, into_hidden in rows
    ]


def _status(hidden, into_id, into_hidden) -> str:
    """receipt.status's word for the author's own entry; "" for one shown."""
    fate = receipt.status(bool(hidden), None if into_id is None else bool(into_hidden))
    return "" if fate == receipt.Fate.SHOWN else fate


@functools.cache
def _sql(model) -> str:
    entry = model._meta.db_table
    endorsement = ENDORSEMENT_MODELS[model]._meta.db_table
    if model is ActivityProposal:
        rec_number = "r.number"
        join = f"JOIN {Recommendation._meta.db_table} r ON r.id = e.recommendation_id"
    else:
        rec_number, join = "NULL", ""
    return (
        f"SELECT e.id, e.text, e.author_id,"
        f" (SELECT COUNT(*) FROM {endorsement} x WHERE x.entry_id = e.id),"
        f" EXISTS (SELECT 1 FROM {endorsement} y"
        f"  WHERE y.entry_id = e.id AND y.participant_id = %(participant)s),"
        f" {rec_number}, e.hidden, m.id, m.text, m.hidden"
        f" FROM {entry} e {join}"
        f" LEFT JOIN {entry} m ON m.id = e.merged_into_id"
        f" WHERE e.discussion_id = %(discussion)s"
        f" AND (e.author_id = %(participant)s OR (e.group_id = %(group)s"
        f"  AND e.hidden = %(false)s AND e.merged_into_id IS NULL))"
        f" ORDER BY e.created_at, e.id"
    )
