"""How long the exports of a 5,000-participant workshop take: a benchmark, not a test.

Skipped unless GF_BENCH=1, because building the crowd alone takes seconds:

    GF_BENCH=1 .venv/bin/python -m pytest -q -s tests/test_export_bench.py

Prints wall-clock and CPU seconds per format (the CPU time is the steadier number on
a busy machine) and asserts nothing about time, only that every file was built.
"""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import export
from discussions.management.commands.crowd import make_crowd
from discussions.models import Discussion, Group, Ranking, Workshop
from tests.base import BaseTestCase

PARTICIPANTS = 5000
GROUPS = 40


@pytest.mark.skipif(not os.environ.get("GF_BENCH"), reason="a benchmark: set GF_BENCH=1")
class ExportBenchmark(BaseTestCase):
    def test_5000_participants(self):
        workshop = Workshop.objects.create(title="Konferens", recommendation_set=self.rec_set)
        discussion = Discussion.objects.create(
            workshop=workshop, title="Stor runda", recommendation_set=self.rec_set
        )
        Group.objects.bulk_create(
            Group(discussion=discussion, name=f"Bord {i}", position=i) for i in range(1, GROUPS + 1)
        )
        make_crowd(discussion, PARTICIPANTS, seed=1)
        rows = Ranking.objects.filter(participant__discussion=discussion).count()
        print(f"\n{PARTICIPANTS} participants, {GROUPS} groups, {rows} ranking rows")
        builds = {
            "xlsx": lambda: export.build_xlsx(workshop),
            "csv": lambda: export.build_csv_zip(workshop),
            "csv-nordic": lambda: export.build(workshop, "csv-nordic"),
            "json": lambda: export.build(workshop, "json"),
        }
        for name, build in builds.items():
            wall, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                result = build()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            size = f", {len(result) / 1e6:.1f} MB" if isinstance(result, bytes) else ""
            print(f"{name:>10}: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(queries)} queries{size}")
            self.assertTrue(result)
