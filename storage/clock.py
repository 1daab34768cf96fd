"""The one injectable clock (G8): nothing reads datetime.now() directly."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


def fixed_clock(at: datetime) -> Clock:
    """A clock pinned at one aware moment (tests, `--now`)."""
    if at.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")
    return lambda: at


class SettableClock:
    """A clock tests can move forward: `clock.advance(hours=2)`."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("SettableClock needs an aware datetime")
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def set(self, at: datetime) -> None:
        self.now = at

    def advance(self, **delta: float) -> None:
        from datetime import timedelta
        self.now = self.now + timedelta(**delta)
