"""A small world for conversation tests: a city, a coach with slots, cheques, residents.

Tests read like transcripts: `ann.say("hallo")` returns what Ann receives, as text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conversations.engine import Engine, Outcome
from conversations.incoming import Incoming, Kind
from conversations.step import Rules
from storage.clock import SettableClock
from storage.codes import check_symbol, display
from storage.models import Booking, Cheque, Coach, Conversation, Outbox, Resident, Slot
from storage.schedule import parse_weekly, plan_slots
from storage.slots import upsert_slots

BRUSSELS = ZoneInfo("Europe/Brussels")
# Tuesday 1 December 2026, 09:00 in Brussels.
START = datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS).astimezone(timezone.utc)
_ids = itertools.count(1)


def rules(**overrides: object) -> Rules:
    base = Rules(tz=BRUSSELS, city_phone="03 778 30 00", postcodes=("9100", "9111", "9112"))
    return Rules(**{**base.__dict__, **overrides})  # type: ignore[arg-type]


def make_code(seed: int) -> str:
    data = f"{seed:08d}".translate(str.maketrans("0123456789", "ABCDEFGHJK"))
    return data + check_symbol(data)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS)


@dataclass
class World:
    sessions: sessionmaker[Session]
    clock: SettableClock = field(default_factory=lambda: SettableClock(START))
    rules: Rules = field(default_factory=rules)

    def __post_init__(self) -> None:
        self.engine = Engine(self.sessions, self.rules, self.clock)

    def coach(self, name: str = "An", weekly: str = "mon-fri 09:00-12:00; mon-fri 13:00-16:30",
              first: date = date(2026, 12, 2), last: date = date(2026, 12, 31),
              capacity: int = 1, postcodes: str = "") -> int:
        with self.sessions.begin() as s:
            coach = Coach(name=name, postcodes=postcodes, active=True)
            s.add(coach)
            s.flush()
            plan = plan_slots(parse_weekly(weekly), first, last, BRUSSELS,
                              timedelta(minutes=90), timedelta(minutes=30))
            upsert_slots(s, coach.id, plan.spans, capacity)
            return coach.id

    def cheque(self, seed: int = 1, visits: int = 1, expires_on: date | None = None,
               status: str = "open") -> str:
        code = make_code(seed)
        with self.sessions.begin() as s:
            s.add(Cheque(code=code, visits=visits, expires_on=expires_on, status=status,
                         created_at=self.clock()))
        return display(code)

    def resident(self, address: str = "+32470111222", channel: str = "sms") -> "Person":
        return Person(self, address, channel)

    def bookings(self) -> list[Booking]:
        with self.sessions() as s:
            return list(s.scalars(select(Booking).order_by(Booking.id)))

    def slot_at(self, moment: datetime) -> Slot:
        with self.sessions() as s:
            return s.scalars(select(Slot).where(Slot.starts_at == moment)).one()


@dataclass
class Person:
    world: World
    address: str
    channel: str
    last: Outcome | None = None

    def send(self, text: str = "", kind: Kind = Kind.TEXT, provider_id: str | None = None,
             language_hint: str | None = None) -> Outcome:
        msg = Incoming(channel=self.channel, address=self.address,
                       provider_id=provider_id or f"m{next(_ids)}", text=text, kind=kind,
                       language_hint=language_hint)
        self.last = self.world.engine.process(msg)
        return self.last

    def say(self, text: str = "", kind: Kind = Kind.TEXT, **kw: object) -> str:
        """What the resident receives for one message, all replies joined."""
        outcome = self.send(text, kind, **kw)  # type: ignore[arg-type]
        return "\n".join(m.body for m in self.messages(outcome))

    def up_to_topic(self, code: str, address: str = "9100 Markt 3") -> str:
        """Greet, give the code, the address and this phone: the topic question is next.

        By SMS the number written from is the coach's number: no question for it."""
        for text in ("hallo", code):
            self.say(text)
        reply = self.say(address)
        return reply if self.state == "ask_topic" else self.say("1")

    def messages(self, outcome: Outcome | None = None) -> list[Outbox]:
        outcome = outcome or self.last
        assert outcome is not None
        with self.world.sessions() as s:
            return list(s.scalars(select(Outbox).where(Outbox.id.in_(outcome.outbox_ids))
                                  .order_by(Outbox.id)))

    @property
    def state(self) -> str | None:
        with self.world.sessions() as s:
            rid = s.scalars(select(Resident.id).where(Resident.address == self.address,
                                                      Resident.channel == self.channel)).first()
            conv = s.get(Conversation, rid) if rid else None
            return conv.state if conv else None

    @property
    def row(self) -> Resident:
        with self.world.sessions() as s:
            return s.scalars(select(Resident).where(Resident.address == self.address,
                                                    Resident.channel == self.channel)).one()
