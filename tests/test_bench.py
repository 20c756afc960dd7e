"""The benchmark, small: so that bench/ cannot rot between the real runs.

Runs bench/run.py as a subprocess for 20 phones over a few seconds against the
production gunicorn it starts (its own SQLite file, or on a PostgreSQL run its own
`…_bench_smoke` database), and checks its verdict: every phone joined, no errors,
no lost writes. Latencies are not asserted here: that is what bench/RESULTS.md is for.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parent.parent


def bench_database() -> list[str]:
    if connection.vendor != "postgresql":
        return []  # the runner makes a fresh SQLite file of its own
    url = urlsplit(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/") + "_bench_smoke"
    return ["--database", urlunsplit(url._replace(path="/" + name))]


@pytest.mark.parametrize(
    "layout",
    [
        [],
        # The production layout of README.md: a gunicorn per core behind the balancer,
        # and one more for the facilitator's screens, ahead of the phones' for the CPU.
        [
            "--instances=2",
            "--facilitator-instance",
            "--phones-nice=5",
            "--workers=1",
            "--worker-class=gthread",
        ],
    ],
    ids=["one gunicorn", "instances"],
)
def test_bench_smoke(tmp_path, layout):
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--phones=20",
        "--groups=4",
        "--workers=2",
        "--ramp=2",
        "--active=4",
        # Two poll periods and some: a phone that polled just before the end learns it at
        # its next poll and reloads, even on a busy machine.
        "--after-end=12",
        "--throughput-seconds=0.3",
        "--crowds=20",
        f"--json={report}",
        *bench_database(),
        *layout,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    numbers = json.loads(report.read_text())
    assert numbers["run"]["phones_joined"] == 20
    assert numbers["run"]["errors"] == 0
    assert numbers["check"]["lost"] == 0
    assert numbers["check"]["unexpected"] == 0
    assert numbers["check"]["acknowledged"] > 20 * 5
    # Every phone learned that the time was up and reloaded its page.
    assert numbers["end"]["learned"] == 20
    assert numbers["throughput"]["poll"]["requests"] > 0
    assert "endpoint" in result.stdout
    # The dashboard was redrawn as the phones answered.
    redraws = [x for x in numbers["endpoints"] if x["endpoint"] == "dashboard live 200 (changed)"]
    assert redraws and redraws[0]["requests"] > 0
    # The in-process dashboard counts every query, the results' included (eight,
    # results.of), and as many for every size of crowd.
    counts = {x["queries"] for x in numbers["dashboard"]["query_counts"]}
    assert len(counts) == 1 and counts.pop() >= 8
    if layout:
        # Two gunicorns for the phones and one for the screens, each worker sampled.
        assert len(numbers["memory"]["max_rss_mib"]) == 3
        assert numbers["config"]["facilitator_instance"] is True
        assert "gunicorn: nice -n 5 " in result.stdout
