"""discussions.latest: results computed in a background thread, waited for only so long.

Plain functions stand in for the dashboard here; tests/test_dashboard_background.py
has the real one, on a real database.
"""

import threading
import time

import pytest

from discussions.latest import Latest

LONG = 10  # seconds: only reached if the code under test hangs


@pytest.fixture
def latest():
    store = Latest(limit=3)
    yield store
    store.stop()


class Gate:
    """A computation that returns the revision it is told to, once let through."""

    def __init__(self, revision):
        self.revision = revision
        self.calls = 0
        self.started = threading.Event()
        self.go = threading.Event()

    def __call__(self):
        self.calls += 1
        self.started.set()
        assert self.go.wait(LONG)
        return self.revision, f"board {self.revision}"


def ready(revision):
    gate = Gate(revision)
    gate.go.set()
    return gate


def test_waits_for_the_current_revision_when_told_to_wait(latest):
    done = latest.get("d", ready(5), current=5)
    assert (done.revision, done.value) == (5, "board 5")
    assert done.age() >= 0


def test_a_finished_result_is_not_computed_again(latest):
    latest.get("d", ready(5), current=5)
    again = Gate(6)
    assert latest.get("d", again, current=5).value == "board 5"
    assert again.calls == 0


def test_a_slow_result_gives_none_when_nothing_newer_than_shown(latest):
    latest.get("d", ready(5), current=5)
    slow = Gate(7)
    begun = time.monotonic()
    assert latest.get("d", slow, current=7, shown=5, wait=0.05) is None
    assert time.monotonic() - begun < LONG / 2
    slow.go.set()
    assert latest.get("d", Gate(8), current=7, shown=5, wait=LONG).value == "board 7"


def test_a_slow_result_gives_the_newest_finished_one_newer_than_shown(latest):
    latest.get("d", ready(5), current=5)
    slow = Gate(7)
    assert latest.get("d", slow, current=7, shown=3, wait=0.05).value == "board 5"
    slow.go.set()


def test_callers_share_one_running_computation(latest):
    slow = Gate(7)
    assert not latest.busy()
    assert latest.get("d", slow, current=7, wait=0.01) is None
    assert latest.busy()
    assert slow.started.wait(LONG)
    other = Gate(7)
    assert latest.get("d", other, current=7, wait=0.01) is None
    slow.go.set()
    assert latest.get("d", other, current=7).value == "board 7"
    assert (slow.calls, other.calls) == (1, 0)
    assert not latest.busy()


def test_a_computation_that_read_an_older_revision_is_followed_by_another(latest):
    # Running before the caller came, it read revision 6; the caller knows of 7.
    older = Gate(6)
    latest.get("d", older, current=6, wait=0)
    assert older.started.wait(LONG)
    newer = ready(7)
    threading.Timer(0.05, older.go.set).start()
    done = latest.get("d", newer, current=7)
    assert done.value == "board 7"
    assert newer.calls == 1


def test_keys_are_apart(latest):
    latest.get("a", ready(5), current=5)
    latest.get("b", ready(9), current=9)
    assert latest.get("a", ready(6), current=5).value == "board 5"
    assert latest.get("b", ready(10), current=9).value == "board 9"


def test_old_keys_go_past_the_limit(latest):
    for key in "abc":
        latest.get(key, ready(1), current=1)
    latest.get("d", ready(1), current=1)
    counted = ready(1)
    latest.get("a", counted, current=1)
    assert counted.calls == 1


def test_an_error_reaches_the_caller_and_frees_the_key(latest):
    def broken():
        raise ValueError("no such discussion")

    with pytest.raises(ValueError):
        latest.get("d", broken, current=1)
    assert latest.get("d", ready(1), current=1).value == "board 1"


def test_forget_drops_finished_results(latest):
    latest.get("d", ready(5), current=5)
    latest.forget()
    counted = ready(5)
    latest.get("d", counted, current=5)
    assert counted.calls == 1


def test_stop_runs_the_cleanup_in_the_thread_and_a_new_thread_follows(latest):
    latest.get("d", ready(5), current=5)
    threads = []
    latest.stop(last=lambda: threads.append(threading.current_thread().name))
    assert threads and threads[0].startswith("gransforum-latest")
    assert latest.get("d", ready(6), current=6).value == "board 6"


def test_a_result_older_than_the_one_kept_does_not_replace_it(latest):
    latest.get("d", ready(5), current=5)
    # Revisions only rise, but a computation that read 3 must still not undo 5.
    assert latest.get("d", ready(3), current=6).value == "board 5"


def test_a_fresh_enough_result_newer_than_shown_is_taken_at_once(latest):
    latest.get("d", ready(5), current=5)
    counted = ready(9)
    done = latest.get("d", counted, current=9, shown=3, wait=LONG, fresh_enough=LONG)
    assert done.value == "board 5"
    assert counted.calls == 0
    # Not fresh enough: counted again, and the count was waited for.
    done = latest.get("d", counted, current=9, shown=3, wait=LONG, fresh_enough=0)
    assert done.value == "board 9"
    assert counted.calls == 1
