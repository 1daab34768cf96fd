"""End to end: staff move a visit with `digicheque visits move` while `run`'s serve() is
up; its outbox sender delivers "your visit moved" through the real twilio client to the
fake Twilio server, and the resident's answer comes back over a signed webhook."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from conversations.gsm7 import is_gsm7, segments
from storage.clock import SettableClock
from tests.auxil.fake_twilio import FakeTwilio
from tests.auxil.rows import add_coach, add_slot, at
from tests.auxil.visits import NOW, book, booking
from tests.auxil.world import World
from tests.bot.test_e2e_sms import Phone, _serving, twilio_settings

NUMBER = "+32470123999"
DAY = date(2026, 12, 1)


@pytest.fixture
def cli_now():
    return NOW


def test_a_moved_visit_reaches_the_residents_phone(run, sessions, engine):
    world = World(sessions, clock=SettableClock(NOW))
    with sessions.begin() as s:
        an = add_coach(s, "An")
        old, new = add_slot(s, an, at(DAY, 9)), add_slot(s, an, at(DAY, 15))
        visit = book(s, old, address=NUMBER)
        ids = (visit.id, new.id)
    with FakeTwilio() as fake:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            phone = Phone(http, local, fake, NUMBER)
            result = await asyncio.to_thread(run, "visits", "move", str(ids[0]), "--to",
                                             str(ids[1]), "--yes")
            assert result.exit_code == 0, result.output
            await phone.until(lambda: len(phone.received()) == 1)
            answer = await phone.text("1")   # 1: see my visit
            assert answer.status_code == 200
            await phone.until(lambda: len(phone.received()) == 2)
        asyncio.run(_serving(world, engine, sessions, twilio_settings(fake), body))
        texts = fake.texts_to(NUMBER)
    assert texts[0].startswith("Let op: de stad heeft uw bezoek verplaatst. De coach komt nu "
                               "op dinsdag 1 december om 15:00.\nWat wilt u doen?\n1 Mijn "
                               "bezoek bekijken")
    assert texts[1].startswith("Uw bezoek: dinsdag 1 december van 15:00 tot 16:30, "
                               "Kerkstraat 12, 9100.")
    assert all(is_gsm7(t) and segments(t) <= 2 for t in texts), texts
    assert booking(sessions, ids[0]).slot_id == ids[1]
