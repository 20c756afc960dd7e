"""Run the benchmark once: database, production gunicorn, load, checks, one table.

    .venv/bin/python -m bench.run --phones 2000 --groups 40 \\
        --database postgres://postgres@127.0.0.1:5432/gransforum_bench

See bench/README.md. The database named here is dropped and created again: its
name must contain "bench". Without --database the run uses a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bench import loadgen
from bench.server import (
    PROJECT,
    Gunicorn,
    Instances,
    PeakWatcher,
    Sampler,
    machine_cpu,
    processes_cpu,
    production_env,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument(
        "--database",
        default="",
        help="postgres://…/NAME (NAME must contain 'bench'; it is recreated) or empty for SQLite",
    )
    parser.add_argument("--cache", default="locmem://", help="CACHE_URL, e.g. redis://…/3")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=5, help="per instance")
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="gunicorns on their own ports, the client balancing by least connections",
    )
    parser.add_argument(
        "--facilitator-instance",
        action="store_true",
        help="one more gunicorn for the facilitator's screens only (routed by path)",
    )
    parser.add_argument(
        "--phones-nice",
        type=int,
        default=0,
        help="with --facilitator-instance: start the phones' gunicorns under nice -n N,"
        " so the facilitator's screens come first for the CPU",
    )
    parser.add_argument("--threads", type=int, default=1, help="per worker, for gthread")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which phones join")
    parser.add_argument(
        "--active", type=float, default=60.0, help="seconds over which each phone answers"
    )
    parser.add_argument("--after-end", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=200, help="client connection pool")
    parser.add_argument("--no-static", action="store_true", help="phones skip CSS/JS downloads")
    parser.add_argument("--throughput-seconds", type=float, default=4.0, help="per slice, 3 each")
    parser.add_argument("--throughput-concurrency", type=int, default=8)
    parser.add_argument(
        "--crowds",
        default="20,200",
        help="sizes of extra crowds (manage.py crowd) to compare the dashboard's query count",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="wait up to this long for the machine to be under 25%% busy before the run",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--log", type=Path, help="gunicorn's log (default: a temp file)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (SQLite file, static files, log) after a good run",
    )
    args = parser.parse_args(argv)
    if args.phones_nice and not args.facilitator_instance:
        parser.error("--phones-nice needs --facilitator-instance (else all is the phones')")
    return args


# --- Preparing ------------------------------------------------------------------------------


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if "bench" not in name or name.startswith("test_"):
        raise SystemExit(f"refusing to recreate {name!r}: a bench database has 'bench' in its name")
    admin = psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


# --- Measuring ------------------------------------------------------------------------------


def unchanged_poll(room, participant_id: int) -> tuple[str, dict]:
    """A poll URL and headers that the server answers with 204 (nothing changed)."""
    from django.http import HttpResponse
    from django.utils import timezone
    from django.utils.http import urlencode

    from discussions.models import Discussion, Participant
    from discussions.participant_cookie import COOKIE_SALT
    from discussions.phone_poll import mode as page_mode

    discussion = Discussion.objects.get(pk=room.discussion_id)
    group = Participant.objects.select_related("group").get(pk=participant_id).group
    name = f"gf_p{room.discussion_id}"
    # Signed exactly as the join view signs it (set_signed_cookie), with the same key.
    signed = HttpResponse()
    signed.set_signed_cookie(name, str(participant_id), salt=COOKIE_SALT)
    cookie = signed.cookies[name].value
    mode = page_mode(discussion, timezone.now())
    query = {
        "mode": mode,
        "g": group.pk,
        "rev": discussion.revision + group.revision,
        "at": int(timezone.now().timestamp()),
        "n": 0,
    }
    poll = f"/d/{room.discussion_id}/poll/?{urlencode(query)}"
    return poll, {"Cookie": f"{name}={cookie}", "HX-Request": "true"}


async def measure_after(args, room, poll, poll_headers, sampler: Sampler, base_url: str):
    """On the same server, after the phones: /healthz vs the unchanged poll; the dashboard."""
    slices = {"healthz": [], "poll": []}
    async with loadgen.make_client(base_url, args.throughput_concurrency, 30) as client:
        check = await client.get(poll, headers=poll_headers)
        if check.status != 204 or check.header("HX-Refresh"):
            raise RuntimeError(f"the poll is not unchanged: {check.status} {check.headers}")
        for _round in range(3):
            for key, path, headers in (
                ("healthz", "/healthz", {}),
                ("poll", poll, poll_headers),
            ):
                cpu = sampler.server_cpu()
                measured = await loadgen.hammer(
                    client,
                    key,
                    path,
                    headers,
                    200 if key == "healthz" else 204,
                    concurrency=args.throughput_concurrency,
                    seconds=args.throughput_seconds,
                )
                slices[key].append((measured, sampler.server_cpu() - cpu))

        # The rest is not the phones' load: the memory peaks of the run stop here.
        sampler.stop()
        # A facilitator's login, sampled every 10 ms: the password hash's memory.
        watcher = PeakWatcher(sampler.server.worker_pids()).start()
        run = loadgen.Run(
            loadgen.Scenario(
                base_url, room.join_code, room.discussion_id, room.username, room.password
            ),
            client,
        )
        run.hard_stop = float("inf")
        facilitator = loadgen.Facilitator(run)
        logged_in = await facilitator.login()
        watcher.stop()
        if not logged_in:
            raise RuntimeError("login failed after the run")
        # The dashboard over HTTP on the idle server, logged in as the facilitator.
        dashboard_ms = []
        for _ in range(5):
            started = time.perf_counter()
            response = await facilitator.request("dashboard", "GET", f"/f/d/{room.discussion_id}/")
            dashboard_ms.append((time.perf_counter() - started) * 1000)
            if response is None:
                raise RuntimeError(f"dashboard failed: {run.stats.error_samples}")

    def total(key):
        requests = sum(m.requests for m, _cpu in slices[key])
        seconds = sum(m.seconds for m, _cpu in slices[key])
        cpu = sum(c for _m, c in slices[key])
        errors = sum(m.errors for m, _cpu in slices[key])
        return {
            "requests": requests,
            "errors": errors,
            "rate": requests / seconds,
            "server_cpu_ms_per_request": 1000 * cpu / requests if requests else 0,
        }

    return {
        "healthz": total("healthz"),
        "poll": total("poll"),
        "dashboard_http_ms": dashboard_ms,
        "login_peak_mib": watcher.max_kib / 1024,
        "login_rise_mib": watcher.max_rise_kib / 1024,
    }


def describe_machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


# --- Reporting ------------------------------------------------------------------------------

ORDER = [
    "join page",
    "join",
    "page",
    "step page",
    "static",
    "poll 204 (unchanged)",
    "poll 200 (changed)",
    "poll -> refresh",
    "page (after the end)",
    "page (refresh)",
    "rank",
    "why",
    "area",
    "activity",
    "endorse",
    "area (at the end)",
    "projector live 204 (unchanged)",
    "projector live 200 (changed)",
    "dashboard live 204 (unchanged)",
    "dashboard live 200 (changed)",
]


def endpoint_rows(stats: loadgen.Stats) -> list[dict]:
    names = [n for n in ORDER if n in stats.endpoints]
    names += sorted(n for n in stats.endpoints if n not in ORDER)
    rows = []
    for name in names:
        endpoint = stats.endpoints[name]
        values = endpoint.latencies
        if not values and not endpoint.errors:
            continue
        rows.append(
            {
                "endpoint": name,
                "requests": len(values),
                "p50_ms": loadgen.percentile(values, 50) * 1000,
                "p95_ms": loadgen.percentile(values, 95) * 1000,
                "p99_ms": loadgen.percentile(values, 99) * 1000,
                "max_ms": max(values, default=0) * 1000,
                "errors": endpoint.errors,
            }
        )
    return rows


def timeline_rows(stats: loadgen.Stats, history: list, cores: int) -> list[dict]:
    """Per window of the run: the phones' requests and latencies, and the CPU used."""

    def cpu_at(moment: float):
        # The last sample taken at or before `moment` (the sampler ticks every second).
        before = [h for h in history if h[0] <= moment]
        return before[-1] if before else None

    rows = []
    for k in sorted(stats.timeline):
        start = stats.started + k * stats.window
        values = stats.timeline[k]
        row = {
            "from_s": k * stats.window,
            "requests": len(values),
            "p50_ms": loadgen.percentile(values, 50) * 1000,
            "p95_ms": loadgen.percentile(values, 95) * 1000,
            "workers_cpu_pct": [],
            "machine_pct": None,
        }
        a, b = cpu_at(start), cpu_at(start + stats.window)
        if a and b and b[0] > a[0]:
            span = b[0] - a[0]
            row["workers_cpu_pct"] = [
                100 * (b[1][pid] - a[1].get(pid, 0)) / span for pid in sorted(b[1])
            ]
            row["machine_pct"] = 100 * (b[2] - a[2]) / span / cores
        rows.append(row)
    return rows


def print_report(report: dict) -> None:
    c = report["config"]
    r = report["run"]
    print()
    print(
        f"Gränsforum benchmark · {report['date']} · {c['phones']} phones, {c['groups']} groups · "
        f"{c['database']} · "
        + (f"{c['instances']} × " if c.get("instances", 1) > 1 else "")
        + f"gunicorn {c['worker_class']} ×{c['workers']}"
        + (f" ×{c['threads']} threads" if c["worker_class"] == "gthread" else "")
        + (" --preload" if c["preload"] else "")
        + (" + 1 for the facilitator's screens" if c.get("facilitator_instance") else "")
        + (f" (the phones' at nice {c['phones_nice']})" if c.get("phones_nice") else "")
        + f" · cache {c['cache']}"
    )
    m = report["machine"]
    print(f"machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu']}, Python {m['python']}")
    print(
        f"phones joined {r['phones_joined']}/{c['phones']} · requests sent {r['requests']} in "
        f"{r['wall_seconds']:.0f} s = {r['requests_per_second']:.0f} req/s · "
        f"errors {r['errors']} · lost writes {report['check']['lost']} "
        f"(of {report['check']['acknowledged']} acknowledged) · "
        f"unexpected {report['check']['unexpected']} · "
        f"accepted after the end {report['check']['after_end']}"
    )
    print()
    header = f"{'endpoint':32} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
    header += f"{'max ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for row in report["endpoints"]:
        flag = "  <-- p95 ≥ 300 ms" if row["p95_ms"] >= 300 else ""
        print(
            f"{row['endpoint']:32} {row['requests']:>9} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f} "
            f"{row['errors']:>7}{flag}"
        )
    print("-" * len(header))
    t = report["throughput"]
    print(
        f"unchanged poll (204): {t['poll']['rate']:.0f} req/s vs /healthz "
        f"{t['healthz']['rate']:.0f} req/s on the same server = ratio {t['ratio']:.2f} "
        "(target ≥ 0.67); server CPU per "
        f"request {t['poll']['server_cpu_ms_per_request']:.2f} ms vs "
        f"{t['healthz']['server_cpu_ms_per_request']:.2f} ms"
    )
    d = report["dashboard"]
    counts = ", ".join(f"{x['participants']} → {x['queries']}" for x in d["query_counts"])
    print(
        f"dashboard with {d['participants']} participants: render {d['median_ms']:.0f} ms median "
        f"(max {d['max_ms']:.0f}) in-process, cold cache; {d['live_median_ms']:.0f} ms median "
        "after one table changed; over HTTP "
        f"{statistics.median(d['http_ms']):.0f} ms median; queries (participants → queries): "
        f"{counts}"
    )
    mem = report["memory"]
    print(
        f"worker memory: max RSS {max(mem['max_rss_mib'], default=0):.0f} MiB "
        f"(each: {', '.join(f'{x:.0f}' for x in mem['max_rss_mib'])}); "
        f"max PSS {max(mem['max_pss_mib'], default=0):.0f} MiB; "
        f"server CPU {report['server_cpu_seconds']:.0f} s"
    )
    cpu = report["cpu"]
    busy = 100 * cpu["machine_busy"] / cpu["machine_total"]
    print(
        f"CPU during the phones' run: machine {busy:.0f}% busy of {m['nproc']} cores; "
        f"gunicorn {cpu['gunicorn']:.0f} s, PostgreSQL "
        f"{cpu['postgres']:.0f} s, load generator {cpu['load_generator']:.0f} s, anything else "
        f"{cpu['machine_busy'] - cpu['gunicorn'] - cpu['postgres'] - cpu['load_generator']:.0f} s"
        f" (of {cpu['machine_total']:.0f} core-seconds); machine busy before the run: "
        f"{report['busy_before']:.0f}%"
    )
    print(
        f"a facilitator's login (the password hash) lifts its worker by "
        f"{mem['login_rise_mib']:.0f} MiB for the request, to {mem['login_peak_mib']:.0f} MiB"
    )
    e = report["end"]
    if e["learned"]:
        print(
            f"the end of the timer: {e['learned']}/{r['phones_joined']} phones reloaded the page, "
            f"median {e['median_s']:.1f} s, last {e['max_s']:.1f} s after the end; "
            f"refused as too late (expected): {r['refused_after_end']}"
        )
    print(
        f"load generator: CPU {r['client_cpu_seconds']:.0f} s, event-loop lag p99 "
        f"{r['loop_lag_p99'] * 1000:.0f} ms (max {r['loop_lag_max'] * 1000:.0f} ms); "
        f"endorsements skipped (nothing to +1 yet): {r['skipped_endorsements']}"
    )
    if report.get("timeline"):
        print()
        print("the phones' requests by when they finished (CPU of each worker, of the machine):")
        header = f"{'from s':>6} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}"
        print(f"{header}  workers' CPU %   machine %")
        for row in report["timeline"]:
            workers = " ".join(f"{x:4.0f}" for x in row["workers_cpu_pct"])
            machine = "" if row["machine_pct"] is None else f"{row['machine_pct']:9.0f}"
            print(
                f"{row['from_s']:6.0f} {row['requests']:9d} {row['p50_ms']:8.1f} "
                f"{row['p95_ms']:8.1f}  {workers:<15} {machine}"
            )
    for sample in report["error_samples"] + report["check"]["samples"]:
        print("  !", sample)


# --- Main -------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="gransforum-bench-"))
    if args.database:
        database_url = args.database
        recreate_postgres(database_url)
        database_label = "PostgreSQL"
    else:
        database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        database_label = "SQLite"
    env = production_env(database_url, args.cache, static_root=tmp / "static")
    setup_django(env)

    from django.core.management import call_command
    from django.db import connections

    from bench import db

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if args.cache.startswith("redis"):
        from django.core.cache import cache

        cache.clear()
    room = db.create_room(args.groups)
    connections.close_all()
    # Other work on the machine skews every number: wait for a quiet moment if asked,
    # and say how busy it was just before.
    give_up = time.monotonic() + args.wait_quiet
    while True:
        before = machine_cpu()
        time.sleep(3)
        after = machine_cpu()
        busy_before = 100 * (after[0] - before[0]) / max(0.01, after[1] - before[1])
        if busy_before < 25 or time.monotonic() >= give_up:
            break
        print(f"the machine is {busy_before:.0f}% busy: waiting for a quieter moment", flush=True)

    servers = [
        Gunicorn(
            env=env,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
            preload=args.preload,
            log_path=args.log or tmp / "gunicorn.log",
            nice=args.phones_nice if index < args.instances else 0,
        )
        for index in range(args.instances + args.facilitator_instance)
    ]
    server = servers[0] if len(servers) == 1 else Instances(servers)
    phones_url = ",".join(s.base_url for s in servers[: args.instances])
    screens_url = servers[-1].base_url if args.facilitator_instance else ""
    print(f"gunicorn: {' '.join(server.command())}", flush=True)
    print(f"gunicorn log: {server.log_path}", flush=True)
    server.start()
    sampler = Sampler(server)
    sampler.start()
    scenario = loadgen.Scenario(
        base_url=phones_url,
        facilitator_base_url=screens_url,
        join_code=room.join_code,
        discussion_id=room.discussion_id,
        username=room.username,
        password=room.password,
        phones=args.phones,
        ramp_seconds=args.ramp,
        active_seconds=args.active,
        after_end_seconds=args.after_end,
        fetch_static=not args.no_static,
        max_connections=args.connections,
        seed=args.seed,
    )
    try:
        cpu_before = sampler.server_cpu()
        machine_before, postgres_before = machine_cpu(), processes_cpu("postgres")
        print(
            f"running: {args.phones} phones join over {args.ramp:.0f} s, answer over "
            f"{args.active:.0f} s, the end at {scenario.end_at:.0f} s, stop at "
            f"{scenario.stop_at:.0f} s",
            flush=True,
        )
        result = asyncio.run(loadgen.run_scenario(scenario, on_ready=sampler.reset_peaks))
        server_cpu = sampler.server_cpu() - cpu_before
        machine_after, postgres_after = machine_cpu(), processes_cpu("postgres")
        cpu_split = {
            "machine_busy": machine_after[0] - machine_before[0],
            "machine_total": machine_after[1] - machine_before[1],
            "gunicorn": server_cpu,
            "postgres": postgres_after - postgres_before,
            "load_generator": result.client_cpu_seconds,
        }
        print("measuring /healthz against the unchanged poll, and the dashboard", flush=True)
        poll, poll_headers = unchanged_poll(room, result.ledgers[0].participant_id)
        after = asyncio.run(measure_after(args, room, poll, poll_headers, sampler, server.base_url))
    finally:
        sampler.stop()
        server.stop()

    print("checking the database against what the phones were told", flush=True)
    check = db.check_writes(room.discussion_id, result.ledgers)
    timing = db.time_dashboard(room.discussion_id)
    counts = [timing]
    for n in [int(n) for n in args.crowds.split(",") if n.strip()]:
        counts.append(db.time_dashboard(db.crowd_room(n, args.groups), repeat=1))

    stats = result.stats
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": describe_machine(),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.run", *sys.argv[1:]]),
        "config": {
            "phones": args.phones,
            "groups": args.groups,
            "database": database_label,
            "cache": args.cache.split("://", 1)[0],
            "worker_class": args.worker_class,
            "workers": args.workers,
            "instances": args.instances,
            "facilitator_instance": args.facilitator_instance,
            "phones_nice": args.phones_nice,
            "threads": args.threads,
            "preload": args.preload,
            "ramp": args.ramp,
            "active": args.active,
            "after_end": args.after_end,
            "connections": args.connections,
            "static": not args.no_static,
        },
        "run": {
            "phones_joined": result.phones_joined,
            "requests": stats.requests,
            "wall_seconds": result.wall_seconds,
            "requests_per_second": stats.requests / result.wall_seconds,
            "errors": stats.errors,
            "refused_after_end": stats.refused_after_end,
            "client_cpu_seconds": result.client_cpu_seconds,
            "loop_lag_p99": result.loop_lag_p99,
            "loop_lag_max": result.loop_lag_max,
            "skipped_endorsements": result.skipped_endorsements,
        },
        "endpoints": endpoint_rows(stats),
        "throughput": {
            **after,
            "ratio": after["poll"]["rate"] / after["healthz"]["rate"],
        },
        "dashboard": {
            "participants": timing.participants,
            "median_ms": timing.median_ms,
            "max_ms": timing.max_ms,
            "live_median_ms": timing.live_median_ms,
            "http_ms": after["dashboard_http_ms"],
            "query_counts": [asdict(t) for t in sorted(counts, key=lambda t: t.participants)],
        },
        "memory": {
            "max_rss_mib": [v / 1024 for v in sampler.max_rss.values()],
            "max_pss_mib": [v / 1024 for v in sampler.max_pss.values()],
            "login_peak_mib": after["login_peak_mib"],
            "login_rise_mib": after["login_rise_mib"],
        },
        "busy_before": busy_before,
        "server_cpu_seconds": server_cpu,
        "cpu": cpu_split,
        "end": {
            "learned": len(result.learned_end),
            "median_s": statistics.median(result.learned_end) if result.learned_end else 0,
            "max_s": max(result.learned_end, default=0),
        },
        "check": {
            "acknowledged": check.acknowledged,
            "lost": len(check.lost),
            "unexpected": len(check.unexpected),
            "after_end": len(check.after_end),
            "uncertain": check.uncertain,
            "samples": (check.lost + check.unexpected + check.after_end)[:10],
        },
        "timeline": timeline_rows(stats, sampler.history, os.cpu_count() or 1),
        "error_samples": stats.error_samples,
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    failed = (
        stats.errors
        or check.lost
        or check.unexpected
        or check.after_end
        or result.phones_joined != args.phones
    )
    if failed or args.keep:
        print(f"kept: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
