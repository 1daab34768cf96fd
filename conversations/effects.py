"""Effects: past-tense facts a step asks the engine to make true, in its transaction.

Some can fail against the database (a seat taken meanwhile); the engine then asks the
flow for a new step through `flows.after_failure`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WrongCodeEntered:
    """Counts towards the brute-force guard (G9)."""


@dataclass(frozen=True)
class LanguageChosen:
    language: str


@dataclass(frozen=True)
class OptedOut:
    pass


@dataclass(frozen=True)
class OptedIn:
    pass


@dataclass(frozen=True)
class VisitBooked:
    cheque_id: int
    slot_id: int
    postcode: str
    street: str
    phone: str
    topic: str
    topic_text: str | None


@dataclass(frozen=True)
class VisitMoved:
    booking_id: int
    slot_id: int


@dataclass(frozen=True)
class VisitCancelled:
    booking_id: int


@dataclass(frozen=True)
class EffectFailed:
    """What the engine reports back when an effect could not be applied."""

    effect: object
    reason: str   # slot_taken | cheque_unavailable | booking_changed


@dataclass(frozen=True)
class PhoneChanged:
    """The resident confirmed a new number for the coach to call."""

    booking_id: int
    phone: str
