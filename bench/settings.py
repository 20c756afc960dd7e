"""The production settings, with the static files of this run in a folder of its own.

STATIC_ROOT is the project's staticfiles/ folder, shared by everything that runs in
this working copy; a benchmark or test server that collects into it races with any
other collectstatic. BENCH_STATIC_ROOT gives the run its own. Nothing else differs.
"""

import os

from gransforum.settings import *  # noqa: F403

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
