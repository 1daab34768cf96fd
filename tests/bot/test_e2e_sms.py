"""Whole bookings by SMS through `run`'s serve(): real HTTP in, the real twilio client out.

uvicorn serves our app on a free port; Twilio's side is played by signed form posts
(computed for the public URL, as if through a reverse proxy on another host and port)
and by a fake Twilio REST server that records every message, measures the send rate in
segments and answers the errors Twilio gives. The resident answers whatever the
conversation asks, read from its state, so the test is about the channel, not wording.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from bot.commands.run import serve
from bot.config import Settings, TwilioSettings
from conversations.gsm7 import is_gsm7, segments
from storage.models import Booking, Inbound, Outbox, Resident
from tests.auxil.fake_telegram import free_socket
from tests.auxil.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    JITTER,
    FakeTwilio,
    inbound_form,
    sign,
)
from tests.auxil.world import World

PUBLIC = "https://sms.example.org/dc"   # what Twilio calls; the proxy forwards to us
ANN, BERT = "+32470111222", "+32470333444"
_sids = itertools.count(1)

ANSWERS = {  # what a resident answers in each state, per language
    "nl": {"ask_postcode": "Kerkstraat 12, 9100", "ask_street": "Kerkstraat 12",
           "ask_phone": "1", "ask_topic": "3", "ask_time": "donderdag namiddag",
           "confirm": "1"},
    "fr": {"ask_postcode": "Kerkstraat 12, 9100", "ask_street": "Kerkstraat 12",
           "ask_phone": "1", "ask_topic": "3", "ask_time": "jeudi après-midi",
           "confirm": "1"},
}


def twilio_settings(fake: FakeTwilio, rate: float = 50.0) -> Settings:
    return Settings(twilio=TwilioSettings(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number=OUR_NUMBER,
        public_base_url=PUBLIC, api_base_url=fake.base_url, send_rate=rate))


class Phone:
    """A resident's basic phone: texts go to our webhook, replies come from the fake."""

    def __init__(self, http: httpx.AsyncClient, local: str, fake: FakeTwilio, number: str):
        self.http, self.local, self.fake, self.number = http, local, fake, number

    async def text(self, body: str, sid: str | None = None, **extra: str) -> httpx.Response:
        form = inbound_form(self.number, body, sid or f"SM{next(_sids):032d}", **extra)
        signature = sign(PUBLIC + "/twilio/sms", form)   # for the public URL
        return await self.http.post(self.local + "/twilio/sms", data=form,
                                    headers={"X-Twilio-Signature": signature})

    def received(self) -> list[str]:
        return self.fake.texts_to(self.number)

    async def until(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not received in time; got {self.received()}")
            await asyncio.sleep(0.02)


def _state(world: World, number: str) -> str | None:
    return world.resident(number).state


async def _serving(world: World, engine, sessions, settings: Settings, body):
    stop = asyncio.Event()
    sock = free_socket()
    running = asyncio.create_task(serve(settings, engine, sessions, world.clock, sock=sock,
                                        stop=stop))
    local = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(200):
                try:
                    if (await http.get(local + "/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            await body(http, local)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=20)
        sock.close()


async def _book(world: World, phone: Phone, code: str, language: str, first: str) -> None:
    """Text `first`, then answer each question from the state, until booked."""
    seen = 0
    reply = first
    for _ in range(12):
        answer = await phone.text(reply)
        assert answer.status_code == 200 and "<Response></Response>" in answer.text
        await phone.until(lambda n=seen: len(phone.received()) > n)
        await asyncio.sleep(0.05)   # a reply may come in two parts
        seen = len(phone.received())
        state = _state(world, phone.number)
        if state == "menu":
            return
        reply = code if state == "ask_code" else ANSWERS[language][state]
    raise AssertionError(f"not booked: {phone.received()}")


@pytest.mark.parametrize("language, first, menu", [
    ("nl", "hallo", "MENU"),
    ("fr", "bonjour", "MENU"),
])
def test_a_whole_booking_by_sms(sessions, engine, language, first, menu):
    world = World(sessions)
    world.coach()
    code = world.cheque()
    with FakeTwilio() as fake:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            await _book(world, Phone(http, local, fake, ANN), code, language, first)
        asyncio.run(_serving(world, engine, sessions, twilio_settings(fake), body))
        texts = fake.texts_to(ANN)
        records = fake.delivered
    confirmation = texts[-1]              # the booking confirmed, and the way to change it
    assert "13:00" in confirmation and menu in confirmation, texts
    [booking] = world.bookings()
    assert booking.phone == ANN and booking.street == "Kerkstraat 12"
    assert all(is_gsm7(t) and segments(t) <= 2 for t in texts), texts
    assert all(r.sender == OUR_NUMBER for r in records)
    assert all(r.status_callback == PUBLIC + "/twilio/status" for r in records)
    assert len(texts) == len(set(texts))        # nothing delivered twice
    with sessions() as s:
        assert s.scalars(select(Resident.language)).one() == language


def test_provider_errors_over_real_http(sessions, engine):
    """Unsigned or signed for the wrong URL: 403 and nothing stored; 429 and 500 are
    retried and delivered once; 21610 marks the resident opted out; status callbacks
    reach the database, forward only; a repeated MessageSid is one reply."""
    world = World(sessions)
    with FakeTwilio() as fake:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            ann, bert = Phone(http, local, fake, ANN), Phone(http, local, fake, BERT)
            forged = inbound_form(ANN, "hallo", "SM-forged")
            refused = await http.post(local + "/twilio/sms", data=forged, headers={
                "X-Twilio-Signature": sign(local + "/twilio/sms", forged)})  # not public
            assert refused.status_code == 403
            assert (await http.post(local + "/twilio/sms", data=forged)).status_code == 403
            fake.fail_next(429, 20429, to=ANN)
            fake.fail_next(500, 20500, to=ANN)
            await ann.text("hallo", sid="SM-first")
            await ann.until(lambda: len(ann.received()) == 1)
            await ann.text("hallo", sid="SM-first")          # Twilio's retry of a webhook
            fake.fail_next(400, 21610, "Attempt to send to unsubscribed recipient", to=BERT)
            await bert.text("hallo")
            await bert.until(lambda: fake.refused(400) == 1)
            [record] = [r for r in fake.delivered if r.to == ANN]
            for status in ("sent", "delivered", "sent"):   # from Twilio's side: a thread
                answer = await asyncio.to_thread(fake.send_status, record, status,
                                                 url=local + "/twilio/status")
                assert answer.status_code == 200
            await asyncio.sleep(0.3)   # a duplicate reply would have arrived by now
        asyncio.run(_serving(world, engine, sessions, twilio_settings(fake), body))
        attempts_to_ann = [r.status for r in fake.requests if r.to == ANN]
        texts_to_ann = fake.texts_to(ANN)
    assert attempts_to_ann == [429, 500, 201]
    assert len(texts_to_ann) == 1
    with sessions() as s:
        by_number = {r.address: r for r in s.scalars(select(Resident))}
        statuses = dict(s.execute(select(Outbox.address, Outbox.delivery_status)
                                  .where(Outbox.status == "sent")).tuples().all())
        failed = s.scalars(select(Outbox.last_error).where(Outbox.address == BERT)).all()
        forged = s.scalars(select(Inbound).where(Inbound.provider_id == "SM-forged")).all()
    assert forged == []
    assert by_number[BERT].opted_out_at is not None
    assert by_number[ANN].opted_out_at is None
    assert statuses[ANN] == "delivered"
    assert failed and "21610" in failed[0]
    assert not world.bookings()


def test_the_send_rate_in_segments_is_kept(sessions, engine):
    """Ten residents write at once; the fake refuses anything above 4 segments/s."""
    world = World(sessions)
    numbers = [f"+3247055{i:04d}" for i in range(10)]
    with FakeTwilio(segments_per_second=4) as fake:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            phones = [Phone(http, local, fake, n) for n in numbers]
            await asyncio.gather(*(p.text("hallo") for p in phones))
            await phones[0].until(lambda: len(fake.delivered) >= len(numbers), timeout=40)
        asyncio.run(_serving(world, engine, sessions, twilio_settings(fake, rate=4), body))
        refused = fake.refused(429)
        most = fake.max_segments_in(1.0 - JITTER)
        per_reply = {r.segments for r in fake.delivered}
    assert refused == 0
    assert most <= 4 + max(per_reply) - 1
    with sessions() as s:
        assert len(s.scalars(select(Booking)).all()) == 0
