"""The discussion's locks, which every write takes, in one order.

A participant's write takes the discussion's lock *shared*, then the participant's
row, and last (by bumping its revision) the group's row; a facilitator's write takes
the discussion's lock *exclusively* and never a participant's row. One order
everywhere, so no deadlocks, and:

- the shared lock lets writes from the whole hall run side by side, yet puts each
  of them wholly before or wholly after a facilitator's write such as "end now": a
  save that read "running" cannot commit after the end did;
- the participant's row serialises two tabs of one phone;
- a group's row is held only from the bump to the commit, and only by writes at
  that table.

On SQLite, where row locks do not exist, the IMMEDIATE transactions of
gransforum/env.py serialise all writes instead.
"""

from django.db import connection
from django.utils.translation import gettext as _

from discussions.models import Discussion, Participant
from discussions.refused import Refused

CLOCK_FIELDS = ("duration_seconds", "started_at", "paused_at", "paused_seconds", "ended_at")


def lock_discussion(discussion_id: int) -> Discussion:
    """A facilitator's lock: the discussion, exclusively, with its clock as it is now.

    It waits for the participant writes in flight and holds off new ones until it
    commits (see _discussion_lock).
    """
    _discussion_lock(discussion_id, shared=False)
    return Discussion.objects.select_for_update().only(*CLOCK_FIELDS).get(pk=discussion_id)


# A PostgreSQL advisory lock per discussion, rather than FOR SHARE on its row: row
# share locks let every new writer in beside the ones already there, so with a hall
# writing without pause "end now" waited behind them for minutes (the end-race test
# hung). The lock manager queues a shared request behind a waiting exclusive one.
_ADVISORY_LOCK_SPACE = 0x6766  # "gf": the first key, so other apps' locks never clash


def _discussion_lock(discussion_id: int, *, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_ADVISORY_LOCK_SPACE, discussion_id])


def lock_discussion_shared(discussion_id: int) -> None:
    """The discussion's lock, shared: for a join, which has no participant row yet."""
    _discussion_lock(discussion_id, shared=True)


def lock_for_participant(participant: Participant) -> Discussion:
    """The discussion's lock shared, then the participant's row; the clock as it is now.

    Returns the discussion with its clock, read after the lock (a new snapshot, so
    an "end now" that committed while this waited is seen), and `locked_group_id`:
    the participant's group as committed (another tab may just have changed it).
    """
    _discussion_lock(participant.discussion_id, shared=True)
    sql = (
        f"SELECT {_columns()}, p.group_id AS locked_group_id "
        f"FROM {Participant._meta.db_table} p "
        f"JOIN {Discussion._meta.db_table} d ON d.id = p.discussion_id WHERE p.id = %s"
    )
    if connection.vendor == "postgresql":
        # Django's select_for_update cannot name one table of a join in raw SQL.
        sql += " FOR NO KEY UPDATE OF p"
    # raw() rather than a cursor: the clock's datetimes come back converted.
    found = list(Discussion.objects.raw(sql, [participant.pk]))
    if not found:
        # Deleted since the view loaded it (the facilitator deleted the data).
        raise Refused(_("Det här finns inte längre. Ladda om sidan."), 404)
    return found[0]


def _columns() -> str:
    return ", ".join(f"d.{connection.ops.quote_name(f)}" for f in ("id", *CLOCK_FIELDS))
