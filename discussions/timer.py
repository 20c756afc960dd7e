"""Server-owned clock for a timed group discussion.

A discussion is NOT_STARTED, RUNNING, PAUSED or ENDED. We never store a
ticking counter: a `Clock` holds only the moments when something happened,
and everything a screen shows is derived from those moments and `now`. A
server restart therefore loses nothing, and phones and the projector agree
because they all read the same timestamps.

The central quantity is the deadline, the moment time runs out if nothing
else happens:

    deadline = started_at + duration + paused time

Paused time is the finished pauses (`paused_seconds`) plus the pause in
progress, if any. While paused, the deadline moves forward with `now`, which
is exactly what keeps the seconds left frozen. An explicit "end now"
(`ended_at`) pulls the deadline in to that moment.

Clocks are immutable: each transition returns a new Clock or raises
TimerError. Callers pass `now` everywhere, so one request uses one instant
throughout and tests need no clock mocking.
"""

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

MAX_EXTENSION_SECONDS = 4 * 60 * 60
_SECOND = timedelta(seconds=1)
_ZERO = timedelta(0)


class State(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class TimerError(ValueError):
    """A transition that is not allowed in the clock's current state."""


@dataclass(frozen=True)
class Clock:
    duration_seconds: int
    started_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0  # total length of pauses that have ended
    ended_at: datetime | None = None  # set only by an explicit "end now"

    def __post_init__(self) -> None:
        # Clocks are rebuilt from database rows, so reject impossible ones here
        # instead of computing nonsense later.
        if not _is_positive_int(self.duration_seconds):
            raise ValueError("duration_seconds must be a positive int")
        if not (math.isfinite(self.paused_seconds) and self.paused_seconds >= 0):
            raise ValueError("paused_seconds must be a finite number >= 0")
        for moment in (self.started_at, self.paused_at, self.ended_at):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("datetimes must be timezone-aware")
        if self.started_at is None and (self.paused_at is not None or self.ended_at is not None):
            raise ValueError("a clock cannot be paused or ended before it starts")
        if self.paused_at is not None and self.ended_at is not None:
            raise ValueError("an ended clock cannot be paused")


def deadline(clock: Clock, now: datetime) -> datetime | None:
    """When time runs out if nothing else happens; None before the start."""
    if clock.started_at is None:
        return None
    natural = (
        clock.started_at + timedelta(seconds=clock.duration_seconds) + _paused_time(clock, now)
    )
    if clock.ended_at is not None:
        return min(natural, clock.ended_at)
    return natural


def state(clock: Clock, now: datetime) -> State:
    if clock.started_at is None:
        return State.NOT_STARTED
    if clock.ended_at is not None or now >= deadline(clock, now):
        return State.ENDED
    if clock.paused_at is not None:
        return State.PAUSED
    return State.RUNNING


def seconds_left(clock: Clock, now: datetime) -> int:
    """Whole seconds left, rounded up: 0 means time is really out."""
    current = state(clock, now)
    if current is State.NOT_STARTED:
        return clock.duration_seconds
    if current is State.ENDED:
        return 0
    left = deadline(clock, now) - now
    # Dividing timedeltas is exact integer arithmetic, so a whole number of
    # seconds never turns into one more through float fuzz.
    rounded_up = -(-left // _SECOND)
    # A server clock stepped backwards must not show more than the full duration.
    return min(rounded_up, clock.duration_seconds)


def elapsed_seconds(clock: Clock, now: datetime) -> float:
    """Running time used so far: pauses excluded, frozen once ended."""
    if clock.started_at is None:
        return 0.0
    stop = min(now, deadline(clock, now))
    used = stop - clock.started_at - _paused_time(clock, now)
    return max(used, _ZERO).total_seconds()


def start(clock: Clock, now: datetime) -> Clock:
    _require(clock, now, State.NOT_STARTED, "start")
    return replace(clock, started_at=now)


def pause(clock: Clock, now: datetime) -> Clock:
    _require(clock, now, State.RUNNING, "pause")
    return replace(clock, paused_at=now)


def resume(clock: Clock, now: datetime) -> Clock:
    _require(clock, now, State.PAUSED, "resume")
    return replace(clock, paused_at=None, paused_seconds=_paused_time(clock, now).total_seconds())


def toggle(clock: Clock, now: datetime) -> Clock:
    """The space bar: start, pause or resume, whichever fits."""
    match state(clock, now):
        case State.NOT_STARTED:
            return start(clock, now)
        case State.RUNNING:
            return pause(clock, now)
        case State.PAUSED:
            return resume(clock, now)
    raise TimerError("cannot toggle: the discussion has ended")


def extend(clock: Clock, seconds: int, now: datetime) -> Clock:
    """Give the discussion `seconds` more, reopening it if time ran out."""
    if not _is_positive_int(seconds) or seconds > MAX_EXTENSION_SECONDS:
        raise TimerError(
            f"extension must be a whole number of seconds from 1 to {MAX_EXTENSION_SECONDS}"
        )
    if clock.ended_at is not None:
        raise TimerError("cannot extend: the discussion was ended")
    if state(clock, now) is not State.ENDED:
        return replace(clock, duration_seconds=clock.duration_seconds + seconds)
    # Time ran out on its own, possibly long ago: the facilitator means
    # `seconds` more from now, not from the old deadline. Rounding the duration
    # down makes the screen show exactly `seconds` (seconds_left rounds up); the
    # reopened discussion is at most a fraction of a second short.
    wanted = now + timedelta(seconds=seconds) - clock.started_at - _paused_time(clock, now)
    return replace(clock, duration_seconds=wanted // _SECOND)


def end(clock: Clock, now: datetime) -> Clock:
    """End now. A discussion ended before it started ran for zero seconds.

    A discussion whose time ran out on its own ends for good at its deadline: the
    facilitator's "end now" then means "no more minutes", so extend() refuses it.
    """
    if clock.ended_at is not None:
        raise TimerError("cannot end: the discussion has already ended")
    current = state(clock, now)
    if current is State.NOT_STARTED:
        return replace(clock, started_at=now, ended_at=now)
    if current is State.ENDED:
        # A pause never runs out (it moves the deadline), so none is open here.
        return replace(clock, ended_at=deadline(clock, now))
    # Close an ongoing pause so an ended clock never carries an open one.
    return replace(
        clock,
        paused_at=None,
        paused_seconds=_paused_time(clock, now).total_seconds(),
        ended_at=now,
    )


def accepts_submissions(clock: Clock, now: datetime, grace_seconds: float = 5) -> bool:
    current = state(clock, now)
    if current is State.NOT_STARTED:
        return False
    if current is not State.ENDED:
        return True
    # Answers sent just before time ran out may arrive just after it.
    return now - deadline(clock, now) < timedelta(seconds=grace_seconds)


def format_mmss(seconds: int) -> str:
    """Minutes and seconds: 20:00, 0:05, and 125:00 rather than 2:05:00."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def _paused_time(clock: Clock, now: datetime) -> timedelta:
    """Finished pauses plus the pause in progress."""
    total = timedelta(seconds=clock.paused_seconds)
    if clock.paused_at is not None:
        # A server clock stepped backwards must not shrink the total.
        total += max(now - clock.paused_at, _ZERO)
    return total


def _require(clock: Clock, now: datetime, allowed: State, action: str) -> None:
    current = state(clock, now)
    if current is not allowed:
        readable = current.value.replace("_", " ")
        raise TimerError(f"cannot {action}: the discussion is {readable}")


def _is_positive_int(value: object) -> bool:
    # bool is an int subclass; True must not quietly mean one second.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
