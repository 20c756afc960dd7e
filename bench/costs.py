"""What one request of each kind costs the app server, measured in-process.

    .venv/bin/python -m bench.costs --participants 2000 --groups 40 \\
        --database postgres://postgres@127.0.0.1:5432/gransforum_bench_costs

Fills a discussion as 2,000 benchmark phones leave it (bench.db.fill_room), then
sends each kind of request through Django's whole middleware stack (the test client,
production settings) and reports the median CPU time of this process per request
(time.process_time: the database server's own CPU is not in it) and the queries.
CPU time barely depends on what else runs on the machine, so unlike latency it can
be compared between runs; multiplied by how often the scenario sends each request it
says how many cores the app server needs.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.run import recreate_postgres, setup_django
from bench.server import production_env


def count_queries(connection, send) -> int:
    """How many SQL statements one send() runs."""
    sent = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        send()
    return len(sent)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument(
        "--database", default="", help="postgres://…/NAME with 'bench'; empty: an SQLite file"
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--second-round",
        action="store_true",
        help="measure in round 2: round 1 ends once the room is full, round 2 opens",
    )
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument(
        "--profile", default="", help="a request's name: print where its CPU time goes (cProfile)"
    )
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="gransforum-costs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if args.database:
        recreate_postgres(args.database)
        database, label = args.database, "PostgreSQL"
    else:
        database, label = f"sqlite:///{folder}/costs.sqlite3", "SQLite"
    setup_django(production_env(database, "locmem://", static_root=folder / "static"))
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.utils import timezone

    from bench import db
    from discussions import participant_writes, timer
    from discussions import results as counted
    from discussions.hall import LIVE_PARTICIPANTS_PER_SECOND, LIVE_REDRAW_MAX_SECONDS
    from discussions.models import Discussion, MissingArea, Participant
    from discussions.participant_cookie import COOKIE_SALT

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    room = db.create_room(args.groups)
    d = room.discussion_id
    discussion = Discussion.objects.get(pk=d)
    discussion.set_clock(timer.start(discussion.clock, timezone.now()))
    discussion.save()
    db.fill_room(d, args.participants)
    if args.second_round:
        # Round 1 ended with every ballot in; round 2 runs from the same ballots, so
        # each redraw also counts (cold) or looks up (kept) round 1 and the movement.
        from discussions import rounds

        discussion.refresh_from_db()
        discussion.set_clock(timer.end(discussion.clock, timezone.now()))
        discussion.save()
        rounds.open_second_round(d)
        discussion.refresh_from_db()
    if connection.vendor == "postgresql":
        # As autovacuum would within a minute of a hall filling up: without
        # statistics the planner takes the fresh tables for empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    participant = Participant.objects.filter(discussion_id=d).order_by("pk")[10]
    phone = Client(SERVER_NAME="127.0.0.1")
    signed = HttpResponse()
    signed.set_signed_cookie(f"gf_p{d}", str(participant.pk), salt=COOKIE_SALT)
    phone.cookies[f"gf_p{d}"] = signed.cookies[f"gf_p{d}"].value
    phone.get(f"/d/{d}/")  # the CSRF cookie
    facilitator = Client(SERVER_NAME="127.0.0.1")
    facilitator.force_login(discussion.workshop.members.get())
    stranger = Client(SERVER_NAME="127.0.0.1", enforce_csrf_checks=False)
    htmx = {"HX-Request": "true"}
    group_entry = (
        MissingArea.objects.filter(group_id=participant.group_id)
        .exclude(author=participant)
        .first()
    )

    def rev():
        """What the phone's page shows: the discussion's revision plus its group's."""
        participant.group.refresh_from_db()
        return Discussion.objects.values_list("revision", flat=True).get(pk=d) + (
            participant.group.revision
        )

    def rank():
        # Alternate two ballots, so every save really writes.
        rank.flip = not getattr(rank, "flip", False)
        order = "3,1,5" if rank.flip else "1,3,5"
        return phone.post(f"/d/{d}/rank/", {"order": order}, headers=htmx)

    def endorse():
        endorse.want = "0" if getattr(endorse, "want", "0") == "1" else "1"
        return phone.post(
            f"/d/{d}/area/{group_entry.pk}/endorse/", {"want": endorse.want}, headers=htmx
        )

    def dashboard_cold():
        for name in settings.CACHES:
            caches[name].clear()  # the shared cache and this process's drawn fragments
        counted.clear()  # and this process's results: cold means computed
        return facilitator.get(f"/f/d/{d}/live/?rev=0&state=running&vikt=deltagare", headers=htmx)

    g = participant.group_id

    def dashboard_after_one_write():
        # The live case: one table changed since the last redraw (the write is made
        # by .setup, outside the timing).
        return facilitator.get(f"/f/d/{d}/live/?rev=0&state=running&vikt=deltagare", headers=htmx)

    dashboard_after_one_write.setup = lambda: phone.post(
        f"/d/{d}/rank/", {"order": "2,4,6" if next(counter) % 2 else "6,4,2"}
    )

    # A busy hall: by the next redraw, every table has changed (one ballot each).
    one_per_group = list(
        Participant.objects.filter(discussion_id=d).order_by("group_id", "pk").distinct("group_id")
        if connection.vendor == "postgresql"
        else {p.group_id: p for p in Participant.objects.filter(discussion_id=d)}.values()
    )
    recommendations = list(discussion.recommendation_set.recommendations.all())

    def write_at_every_table():
        order = [2, 4, 6] if next(counter) % 2 else [6, 4, 2]
        for someone in one_per_group:
            participant_writes.save_ranking(someone, order, recommendations)

    def dashboard_after_every_table():
        return facilitator.get(f"/f/d/{d}/live/?rev=0&state=running&vikt=deltagare", headers=htmx)

    dashboard_after_every_table.setup = write_at_every_table

    # What the dashboard meets between two redraws in the benchmark's full hall:
    # 2,000 phones make some eight writes each in ten minutes, 27 a second, and a
    # hall this size waits hall.screen_wait (10 s) between redraws; so
    # some 65 ballots, 65 +1s and 140 whys and entries, from random tables.
    seconds = min(LIVE_REDRAW_MAX_SECONDS, args.participants // LIVE_PARTICIPANTS_PER_SECOND) or 1
    people = list(Participant.objects.filter(discussion_id=d).select_related("group"))
    areas = list(MissingArea.objects.filter(discussion_id=d).values_list("pk", "group_id"))
    pick = random.Random(2)

    def busy_seconds():
        n = next(counter)
        for someone in pick.sample(people, round(6.5 * seconds)):
            participant_writes.save_ranking(someone, pick.sample(range(1, 9), 3), recommendations)
        for someone in pick.sample(people, 7 * seconds):
            participant_writes.save_why(someone, f"Varför {n}")
        for someone in pick.sample(people, 7 * seconds):
            participant_writes.add_entry(someone, MissingArea, f"Område {n}")
        for someone in pick.sample(people, round(6.5 * seconds)):
            entry_id = pick.choice([pk for pk, group in areas if group == someone.group_id])
            entry = MissingArea.objects.get(pk=entry_id)
            participant_writes.endorse(someone, entry, want=bool(n % 2))

    def dashboard_after_busy_seconds():
        return facilitator.get(f"/f/d/{d}/live/?rev=0&state=running&vikt=deltagare", headers=htmx)

    dashboard_after_busy_seconds.setup = busy_seconds

    # As gransforum/wsgi.py does at a worker's start: what is loaded by now (here
    # also the set-up's rows, which a server would not hold) stays out of the
    # collector's full passes.
    gc.freeze()
    counter = iter(range(10**9))
    current = rev()  # the unchanged poll is measured before any of the writes below
    kinds = {
        "healthz": lambda: phone.get("/healthz"),
        "poll 204 (unchanged)": lambda: phone.get(
            f"/d/{d}/poll/?rev={current}&mode=open&g={g}", headers=htmx
        ),
        # Drawn long ago (at=0), so the wait for long lists is over; on the missing
        # areas' page (s=area), which redraws its list.
        "poll 200 (changed)": lambda: phone.get(
            f"/d/{d}/poll/?rev=0&mode=open&g={g}&at=0&n=0&s=area", headers=htmx
        ),
        "page": lambda: phone.get(f"/d/{d}/"),
        "areas page": lambda: phone.get(f"/d/{d}/area/"),
        "join page": lambda: stranger.get(f"/j/{room.join_code}/"),
        "join": lambda: stranger.post(
            f"/j/{room.join_code}/",
            {"group": str(participant.group_id), "name": f"Ny {next(counter)}"},
        ),
        "rank": rank,
        "area": lambda: phone.post(
            f"/d/{d}/area/", {"text": f"Nytt område {next(counter)}"}, headers=htmx
        ),
        "endorse": endorse,
        "projector live 200": lambda: facilitator.get(
            f"/f/d/{d}/projector/live/?rev=0&state=running", headers=htmx
        ),
        "dashboard live 200 (cold)": dashboard_cold,
        "dashboard after one write": dashboard_after_one_write,
        "dashboard after a write at every table": dashboard_after_every_table,
        f"dashboard after {seconds} busy seconds": dashboard_after_busy_seconds,
        "dashboard live 200 (warm)": lambda: facilitator.get(
            f"/f/d/{d}/live/?rev=0&state=running&vikt=deltagare", headers=htmx
        ),
    }
    expected = {"join": 303, "poll 204 (unchanged)": 204}
    if args.profile:
        return profile(kinds[args.profile], args.repeat)
    results = {}
    for name, send in kinds.items():
        stranger.cookies.clear()
        response = send()
        if response.status_code != expected.get(name, 200):
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        cpu, wall = [], []
        queries = count_queries(connection, send)
        # A cold render clears the caches, and the busy seconds make 270 writes first.
        fewer = "cold" in name or "busy" in name
        rounds = max(5, args.repeat // 5) if fewer else args.repeat
        db_seconds = 0.0
        for _ in range(rounds):
            if name == "join":
                stranger.cookies.clear()
            if hasattr(send, "setup"):
                send.setup()  # not counted: the writes a redraw comes after
            db_before = _database_cpu(connection)
            c0, w0 = time.process_time(), time.perf_counter()
            send()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            db_seconds += _database_cpu(connection) - db_before
        db_ms = db_seconds * 1000 / rounds
        results[name] = (statistics.median(cpu), min(cpu), statistics.median(wall), queries, db_ms)

    print(
        f"\nCost per request, in-process, {args.participants} participants in "
        f"{args.groups} groups ({args.participants // args.groups} per group), {label}"
    )
    # The minimum as well as the median: on a shared virtual machine the same work
    # has been seen to take half as long again from one minute to the next.
    print(
        f"{'request':40} {'CPU ms':>8} {'CPU min':>8} {'wall ms':>8} {'queries':>8}"
        f" {'DB CPU ms':>10}"
    )
    for name, (cpu, cpu_min, wall, queries, db_ms) in results.items():
        print(f"{name:40} {cpu:8.2f} {cpu_min:8.2f} {wall:8.2f} {queries:8} {db_ms:10.2f}")
    base = results["healthz"][0]
    print(
        f"unchanged poll / healthz, CPU: {results['poll 204 (unchanged)'][0] / base:.1f}×; "
        f"changed poll / healthz: {results['poll 200 (changed)'][0] / base:.1f}×"
    )
    polls = args.participants / args.poll_seconds
    for share in (1.0, 0.5, 0.1):
        need = (
            polls * share * results["poll 200 (changed)"][0]
            + polls * (1 - share) * results["poll 204 (unchanged)"][0]
        ) / 1000
        print(
            f"{args.participants} phones polling every {args.poll_seconds:.0f} s = "
            f"{polls:.0f} polls/s; with {share:.0%} of them changed the polls alone need "
            f"{need:.1f} cores of app server CPU"
        )
    return 0


def _database_cpu(connection) -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (0 on SQLite): the
    database's own share of a request, which the process's CPU time leaves out.
    Counted in clock ticks (10 ms), so only a mean over many requests means much."""
    from bench.server import cpu_seconds

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    return cpu_seconds(connection.connection.info.backend_pid)


def profile(send, repeat: int) -> int:
    import cProfile
    import pstats

    send()
    profiler = cProfile.Profile()
    for _ in range(repeat):
        if hasattr(send, "setup"):
            send.setup()  # outside the profile, as outside the timing
        profiler.enable()
        send()
        profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    stats.print_stats(int(os.environ.get("GF_PROFILE_LINES", "45")))
    stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
