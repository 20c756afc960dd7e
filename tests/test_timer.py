"""Tests for discussions.timer.

Expected values are worked out by hand from T0, so a wrong formula in the
module cannot also produce the number it is checked against.
"""

from dataclasses import FrozenInstanceError, dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discussions.timer import (
    Clock,
    State,
    TimerError,
    accepts_submissions,
    deadline,
    elapsed_seconds,
    end,
    extend,
    format_mmss,
    pause,
    resume,
    seconds_left,
    start,
    state,
    toggle,
)

T0 = datetime(2026, 11, 27, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# One clock per state, each looked at 100 s after T0 (a 20-minute discussion).
CASES = {
    "not_started": (Clock(1200), at(100)),
    "running": (Clock(1200, started_at=T0), at(100)),
    "paused": (Clock(1200, started_at=T0, paused_at=at(50)), at(100)),
    "ended": (Clock(1200, started_at=T0, ended_at=at(60)), at(100)),
    "expired": (Clock(60, started_at=T0), at(100)),
}


def test_state_values():
    assert [s.value for s in State] == ["not_started", "running", "paused", "ended"]
    assert State.RUNNING == "running"


def test_timer_error_is_a_value_error():
    assert issubclass(TimerError, ValueError)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not_started", State.NOT_STARTED),
        ("running", State.RUNNING),
        ("paused", State.PAUSED),
        ("ended", State.ENDED),
        ("expired", State.ENDED),
    ],
)
def test_state_of_each_case(case, expected):
    clock, now = CASES[case]
    assert state(clock, now) is expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"duration_seconds": 0},
        {"duration_seconds": -5},
        {"duration_seconds": 1.5},
        {"duration_seconds": True},
        {"duration_seconds": 60, "started_at": datetime(2026, 11, 27)},
        {"duration_seconds": 60, "paused_at": T0},
        {"duration_seconds": 60, "ended_at": T0},
        {"duration_seconds": 60, "started_at": T0, "paused_at": at(1), "ended_at": at(2)},
        {"duration_seconds": 60, "paused_seconds": -1.0},
        {"duration_seconds": 60, "paused_seconds": float("nan")},
    ],
)
def test_clock_rejects_impossible_values(kwargs):
    with pytest.raises(ValueError):
        Clock(**kwargs)


def test_clock_is_immutable():
    with pytest.raises(FrozenInstanceError):
        Clock(60).started_at = T0


def test_not_started():
    clock = Clock(1200)
    assert state(clock, at(5000)) is State.NOT_STARTED
    assert seconds_left(clock, at(5000)) == 1200
    assert deadline(clock, at(5000)) is None
    assert elapsed_seconds(clock, at(5000)) == 0.0


def test_start():
    clock = start(Clock(1200), T0)
    assert clock == Clock(1200, started_at=T0)
    assert state(clock, T0) is State.RUNNING
    assert deadline(clock, at(500)) == at(1200)
    assert seconds_left(clock, T0) == 1200
    assert seconds_left(clock, at(61.5)) == 1139  # 1138.5 left, rounded up
    assert elapsed_seconds(clock, at(61.5)) == 61.5


@pytest.mark.parametrize(
    ("transition", "case"),
    [
        (start, "running"),
        (start, "paused"),
        (start, "ended"),
        (start, "expired"),
        (pause, "not_started"),
        (pause, "paused"),
        (pause, "ended"),
        (pause, "expired"),
        (resume, "not_started"),
        (resume, "running"),
        (resume, "ended"),
        (resume, "expired"),
        (toggle, "ended"),
        (toggle, "expired"),
        (end, "ended"),
        (lambda clock, now: extend(clock, 60, now), "ended"),
    ],
)
def test_invalid_transitions_raise(transition, case):
    clock, now = CASES[case]
    with pytest.raises(TimerError, match="cannot"):
        transition(clock, now)


def test_pause_freezes_seconds_left_and_moves_the_deadline():
    clock = pause(Clock(1200, started_at=T0), at(100))
    assert clock == Clock(1200, started_at=T0, paused_at=at(100))
    assert seconds_left(clock, at(100.5)) == 1100
    assert seconds_left(clock, at(5000)) == 1100
    assert state(clock, at(5000)) is State.PAUSED  # a long pause never runs out
    assert deadline(clock, at(400)) == at(1500)
    assert elapsed_seconds(clock, at(5000)) == 100.0


def test_pause_then_resume_shifts_the_deadline_by_exactly_the_pause():
    clock = resume(pause(Clock(1200, started_at=T0), at(100)), at(400.25))
    assert clock.paused_at is None
    assert clock.paused_seconds == 300.25
    assert deadline(clock, at(500)) == at(1500.25)
    assert seconds_left(clock, at(400.25)) == 1100
    assert state(clock, at(400.25)) is State.RUNNING


def test_pauses_add_up():
    clock = Clock(1200, started_at=T0, paused_seconds=300.25)
    clock = resume(pause(clock, at(500)), at(510))
    assert clock.paused_seconds == 310.25
    assert deadline(clock, at(600)) == at(1510.25)


def test_toggle_starts_pauses_and_resumes():
    started = toggle(Clock(1200), T0)
    assert started == Clock(1200, started_at=T0)
    paused = toggle(started, at(10))
    assert paused == Clock(1200, started_at=T0, paused_at=at(10))
    assert toggle(paused, at(25)) == Clock(1200, started_at=T0, paused_seconds=15.0)


def test_seconds_left_rounds_up():
    clock = Clock(60, started_at=T0)
    assert seconds_left(clock, at(0.5)) == 60
    assert seconds_left(clock, at(58.999999)) == 2
    assert seconds_left(clock, at(59)) == 1
    assert seconds_left(clock, at(59.8)) == 1  # 0.2 s left
    assert seconds_left(clock, at(59.999999)) == 1
    assert state(clock, at(59.999999)) is State.RUNNING
    assert seconds_left(clock, at(60)) == 0
    assert state(clock, at(60)) is State.ENDED
    assert seconds_left(clock, at(10_000)) == 0


def test_seconds_left_never_exceeds_duration_when_server_clock_steps_back():
    assert seconds_left(Clock(60, started_at=at(10)), T0) == 60


def test_extend_before_start():
    assert extend(Clock(1200), 60, at(5)) == Clock(1260)


def test_extend_while_running():
    clock = extend(Clock(1200, started_at=T0), 120, at(1000))
    assert clock.duration_seconds == 1320
    assert deadline(clock, at(1000)) == at(1320)
    assert seconds_left(clock, at(1000)) == 320


def test_extend_while_paused():
    clock = extend(Clock(1200, started_at=T0, paused_at=at(100)), 60, at(500))
    assert clock.paused_at == at(100)
    assert state(clock, at(500)) is State.PAUSED
    assert seconds_left(clock, at(500)) == 1160


def test_extend_after_natural_expiry_reopens_from_now():
    clock = Clock(1200, started_at=T0, paused_seconds=30.0)  # ran out at T0 + 1230 s
    clock = extend(clock, 120, at(1500))
    assert state(clock, at(1500)) is State.RUNNING
    assert seconds_left(clock, at(1500)) == 120
    assert deadline(clock, at(1500)) == at(1620)
    assert clock.duration_seconds == 1590  # 1500 + 120 - 30


def test_extend_after_expiry_with_fractions_still_shows_exactly_the_extension():
    clock = Clock(1200, started_at=T0, paused_seconds=0.3)
    clock = extend(clock, 60, at(1300.5))
    # 1300.5 + 60 - 0.3 = 1360.2 s of running time, rounded down to 1360.
    assert clock.duration_seconds == 1360
    assert deadline(clock, at(1300.5)) == at(1360.3)
    assert seconds_left(clock, at(1300.5)) == 60
    assert state(clock, at(1360.3)) is State.ENDED


def test_extend_refused_after_explicit_end():
    clock = Clock(1200, started_at=T0, ended_at=at(60))
    with pytest.raises(TimerError, match="ended"):
        extend(clock, 60, at(61))


@pytest.mark.parametrize("seconds", [0, -1, 4 * 3600 + 1, 1.5, True, "60"])
def test_extend_rejects_bad_amounts(seconds):
    with pytest.raises(TimerError):
        extend(Clock(1200, started_at=T0), seconds, at(10))


def test_extend_accepts_four_hours():
    assert extend(Clock(1200), 4 * 3600, T0) == Clock(1200 + 14400)


def test_end_while_running():
    clock = end(Clock(1200, started_at=T0), at(300))
    assert clock == Clock(1200, started_at=T0, ended_at=at(300))
    assert state(clock, at(300)) is State.ENDED
    assert seconds_left(clock, at(300)) == 0
    assert deadline(clock, at(900)) == at(300)
    assert elapsed_seconds(clock, at(900)) == 300.0


def test_end_while_paused_closes_the_pause():
    clock = Clock(1200, started_at=T0, paused_at=at(100), paused_seconds=5.0)
    clock = end(clock, at(160))
    assert clock.paused_at is None
    assert clock.paused_seconds == 65.0
    assert clock.ended_at == at(160)
    assert deadline(clock, at(200)) == at(160)
    assert elapsed_seconds(clock, at(200)) == 95.0  # 160 - 65


def test_end_after_time_ran_out_makes_the_end_final_at_the_deadline():
    clock = Clock(60, started_at=T0, paused_seconds=10.0)  # deadline at(70)
    assert state(clock, at(100)) is State.ENDED
    ended = end(clock, at(100))
    assert ended == Clock(60, started_at=T0, paused_seconds=10.0, ended_at=at(70))
    assert deadline(ended, at(500)) == at(70)
    assert elapsed_seconds(ended, at(500)) == 60.0
    with pytest.raises(TimerError, match="cannot extend"):
        extend(ended, 60, at(101))  # the clock it replaced could be reopened
    assert state(extend(clock, 60, at(101)), at(101)) is State.RUNNING
    with pytest.raises(TimerError, match="already ended"):
        end(ended, at(101))


def test_end_before_start():
    clock = end(Clock(1200), at(42))
    assert clock == Clock(1200, started_at=at(42), ended_at=at(42))
    assert state(clock, at(42)) is State.ENDED
    assert seconds_left(clock, at(42)) == 0
    assert elapsed_seconds(clock, at(100)) == 0.0


def test_deadline_with_ended_at_is_the_earlier_of_the_two():
    assert deadline(Clock(1200, started_at=T0, ended_at=at(30)), at(99)) == at(30)
    assert deadline(Clock(60, started_at=T0, ended_at=at(100)), at(99)) == at(60)


def test_elapsed_stops_at_natural_expiry_and_excludes_pauses():
    clock = Clock(1200, started_at=T0, paused_seconds=30.0)
    assert elapsed_seconds(clock, at(130)) == 100.0
    assert elapsed_seconds(clock, at(5000)) == 1200.0


@pytest.mark.parametrize(
    ("clock", "now", "expected"),
    [
        (Clock(60), at(100), False),
        (Clock(60, started_at=T0), at(30), True),
        (Clock(60, started_at=T0, paused_at=at(30)), at(5000), True),
        # Natural expiry at T0 + 60 s: five seconds of grace.
        (Clock(60, started_at=T0), at(60), True),
        (Clock(60, started_at=T0), at(64.999999), True),
        (Clock(60, started_at=T0), at(65), False),
        # Explicit end at T0 + 30 s.
        (Clock(60, started_at=T0, ended_at=at(30)), at(30), True),
        (Clock(60, started_at=T0, ended_at=at(30)), at(34.999999), True),
        (Clock(60, started_at=T0, ended_at=at(30)), at(35), False),
    ],
)
def test_accepts_submissions(clock, now, expected):
    assert accepts_submissions(clock, now) is expected


def test_accepts_submissions_grace_is_configurable():
    clock = Clock(60, started_at=T0)
    assert accepts_submissions(clock, at(60), grace_seconds=0) is False
    assert accepts_submissions(clock, at(69), grace_seconds=10) is True
    assert accepts_submissions(clock, at(70), grace_seconds=10) is False


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1200, "20:00"),
        (5, "0:05"),
        (0, "0:00"),
        (59, "0:59"),
        (60, "1:00"),
        (61, "1:01"),
        (3599, "59:59"),
        (3600, "60:00"),
        (7500, "125:00"),
    ],
)
def test_format_mmss(seconds, text):
    assert format_mmss(seconds) == text


def test_format_mmss_rejects_negative():
    with pytest.raises(ValueError):
        format_mmss(-1)


# --- Property: random sessions against an independent model ---------------


@dataclass
class Model:
    """What the test expects, tracked with plain timedelta sums."""

    duration: int
    started: datetime | None = None
    pause_began: datetime | None = None
    finished_pauses: timedelta = timedelta(0)
    ended: datetime | None = None

    def deadline(self, now):
        if self.started is None:
            return None
        paused = self.finished_pauses
        if self.pause_began is not None:
            paused += now - self.pause_began
        natural = self.started + timedelta(seconds=self.duration) + paused
        return natural if self.ended is None else min(natural, self.ended)

    def state(self, now):
        if self.started is None:
            return "not_started"
        if self.ended is not None or now >= self.deadline(now):
            return "ended"
        return "paused" if self.pause_began is not None else "running"


ALLOWED = {
    "start": {"not_started"},
    "pause": {"running"},
    "resume": {"paused"},
    "toggle": {"not_started", "running", "paused"},
    "end": {"not_started", "running", "paused", "ended"},  # explicit end checked below
    "extend": {"not_started", "running", "paused", "ended"},  # explicit end checked below
    "wait": {"not_started", "running", "paused", "ended"},
}

steps = st.one_of(
    st.integers(0, 300).map(lambda s: timedelta(seconds=s)),  # lands on exact seconds
    st.integers(0, 300_000_000).map(lambda us: timedelta(microseconds=us)),
)
operations = st.lists(
    st.tuples(st.sampled_from(sorted(ALLOWED)), steps, st.integers(1, 600)),
    max_size=30,
)


def _apply(model, op, now, extra):
    """Update the model for a valid operation."""
    current = model.state(now)
    if op == "toggle":
        op = {"not_started": "start", "running": "pause", "paused": "resume"}[current]
    if op == "start":
        model.started = now
    elif op == "pause":
        model.pause_began = now
    elif op == "resume":
        model.finished_pauses += now - model.pause_began
        model.pause_began = None
    elif op == "end" and current == "ended":
        # Time ran out on its own: the end becomes final at the natural deadline.
        model.ended = model.deadline(now)
    elif op == "end":
        if model.started is None:
            model.started = now
        if model.pause_began is not None:
            model.finished_pauses += now - model.pause_began
            model.pause_began = None
        model.ended = now
    elif op == "extend" and current != "ended":
        model.duration += extra


def _check_agrees(clock, model, now):
    left, current = seconds_left(clock, now), state(clock, now)
    assert left >= 0
    assert current.value == model.state(now)
    assert deadline(clock, now) == model.deadline(now)
    if clock.started_at is None:
        assert left == clock.duration_seconds
    else:
        assert (current is State.ENDED) == (left == 0)
    return left, current


def _call(op, clock, now, extra):
    if op == "extend":
        return extend(clock, extra, now)
    if op == "wait":
        return clock
    return {"start": start, "pause": pause, "resume": resume, "toggle": toggle, "end": end}[op](
        clock, now
    )


@settings(max_examples=200, database=None, deadline=None)
@given(duration=st.integers(1, 900), ops=operations)
def test_random_sessions_match_the_model(duration, ops):
    clock, model, now = Clock(duration), Model(duration), T0
    before, before_state = duration, State.NOT_STARTED
    for op, step, extra in ops:
        now += step

        # Time passing on its own.
        left, current = _check_agrees(clock, model, now)
        if before_state is State.PAUSED:
            assert (current, left) == (State.PAUSED, before)
        elif before_state is State.RUNNING:
            assert left <= before
        elif before_state is State.NOT_STARTED:
            assert left == before
        else:
            assert (current, left) == (State.ENDED, 0)

        # The operation, at that same instant.
        model_state = model.state(now)
        if model_state not in ALLOWED[op] or (op in ("extend", "end") and model.ended):
            with pytest.raises(TimerError):
                _call(op, clock, now, extra)
            before, before_state = left, current
            continue
        clock = _call(op, clock, now, extra)
        _apply(model, op, now, extra)
        reopening = op == "extend" and model_state == "ended"
        if reopening:
            # Rounded down to whole seconds, so less than a second short.
            new_deadline = deadline(clock, now)
            assert now + timedelta(seconds=extra - 1) < new_deadline
            assert new_deadline <= now + timedelta(seconds=extra)
            model.duration = clock.duration_seconds

        before, before_state = _check_agrees(clock, model, now)
        if op == "extend":
            assert before == (extra if reopening else left + extra)
        elif op == "end":
            assert before == 0
        else:
            assert before == left
