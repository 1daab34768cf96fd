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


@dataclass(frozen=True)
class VisitConfirmed:
    """The resident answered a reminder: they will be there."""

    booking_id: int


@dataclass(frozen=True)
class VisitOutcomeSaid:
    """The resident answered the follow-up: the coach came (done) or not (no_show, the
    coach's: the cheque's visit comes back)."""

    booking_id: int
    status: str     # done | no_show
    by: str         # who is held to account: resident (done) or coach (no-show)
    give_back: bool = False


@dataclass(frozen=True)
class HandoffRequested:
    """The resident asked for a person: a hand-off opens and the staff group is told.
    `where` is the state they asked from (what staff see as context)."""

    where: str


@dataclass(frozen=True)
class ForwardedToStaff:
    """A resident's message while a hand-off is open goes to the staff group."""

    text: str
    kind: str      # conversations.incoming.Kind: a photo or voice note is only named


@dataclass(frozen=True)
class HandoffLeft:
    """The resident went back to the bot (MENU) while waiting: the hand-off closes and
    the staff group is told."""


@dataclass(frozen=True)
class HandoffNoticed:
    """The resident was told "we will answer soon" (at most once an hour)."""
