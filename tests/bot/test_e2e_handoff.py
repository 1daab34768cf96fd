"""Hand-off end to end through `run`'s serve(): an SMS resident asks for a person, staff
answer in their Telegram group, /done gives the resident back to the bot.

Real parts: uvicorn serving our app, signed Twilio webhooks in, the fake Twilio REST
server out (the resident's SMS), the fake Telegram Bot API for the staff group (what
the bot writes there, and the group's updates, by webhook and by long polling), the
real engine, sender and database.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings, StaffSettings, TelegramSettings, TwilioSettings
from storage.models import Handoff, Outbox
from tests.auxil.fake_telegram import TOKEN, FakeTelegram
from tests.auxil.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, FakeTwilio
from tests.auxil.world import World
from tests.bot.test_e2e_sms import PUBLIC, Phone, _serving

ANN = "+32470111222"
GROUP, OTHER_GROUP = "-100777", "-100555"
SOFIE, STRANGER = 42, 4343           # a staff member, and someone else in the group
SECRET = "handoff-secret-0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_ID = int(TOKEN.split(":")[0])
_update_ids = itertools.count(5000)
_message_ids = itertools.count(900)


def settings_for(twilio: FakeTwilio, telegram: FakeTelegram) -> Settings:
    return Settings(
        twilio=TwilioSettings(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                              from_number=OUR_NUMBER, public_base_url=PUBLIC,
                              api_base_url=twilio.base_url, send_rate=50.0),
        telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                  api_base_url=telegram.base_url),
        staff=StaffSettings(telegram_ids=[str(SOFIE)], group_chat_id=GROUP))


def group_update(user: int, text: str, reply_to: int | None, chat: str = GROUP
                 ) -> dict[str, Any]:
    """A message in a group, as Telegram sends it; a reply carries the message replied to."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids), "date": 1764576000,
        "chat": {"id": int(chat), "type": "supergroup", "title": "Digicheque staff"},
        "from": {"id": user, "is_bot": False, "first_name": "Sofie" if user == SOFIE
                 else "Pieter", "language_code": "nl"},
        "text": text}
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to, "date": 1764576000,
            "chat": {"id": int(chat), "type": "supergroup", "title": "Digicheque staff"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Digicheque"},
            "text": "🙋 #1 ..."}
    return {"update_id": next(_update_ids), "message": message}


class StaffGroup:
    """The staff group: what the bot wrote there, and posting as a member of it."""

    def __init__(self, http: httpx.AsyncClient, local: str, fake: FakeTelegram, path: str):
        self.http, self.local, self.fake, self.path = http, local, fake, path

    def texts(self, chat: str = GROUP) -> list[str]:
        return self.fake.texts_to(chat)

    def message_id(self, starts: str) -> int:
        [record] = [r for r in self.fake.delivered
                    if r.chat_id == GROUP and r.text.startswith(starts)]
        assert record.message_id is not None
        return record.message_id

    async def post(self, update: dict[str, Any]) -> None:
        if self.path == "webhook":
            answer = await self.http.post(self.local + "/telegram", json=update,
                                          headers={HEADER: SECRET})
            assert answer.status_code == 200
        else:
            self.fake.push_update(update)


async def until(predicate: Any, what: Any, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not in time; have {what()}")
        await asyncio.sleep(0.02)


def recorded(sessions: Any, message_id: int) -> bool:
    """The sender recorded the group message's Telegram id (what a reply names)."""
    with sessions() as s:
        return s.scalars(select(Outbox.id).where(
            Outbox.address == GROUP, Outbox.provider_message_id == str(message_id))).first() \
            is not None


@pytest.mark.parametrize("path", ["webhook", "polling"])
def test_a_staff_reply_in_the_group_reaches_an_sms_resident_and_done_hands_back(
        sessions, engine, path):
    world = World(sessions)
    with FakeTwilio() as twilio, FakeTelegram() as telegram:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            ann = Phone(http, local, twilio, ANN)
            staff = StaffGroup(http, local, telegram, path)
            await ann.text("hallo")
            await ann.until(lambda: len(ann.received()) == 1)
            await ann.text("ik wil met iemand praten")
            await ann.until(lambda: len(ann.received()) == 2)
            assert "Een medewerker van de stad antwoordt u hier" in ann.received()[1]
            await until(lambda: len(staff.texts()) == 1, staff.texts)
            request = staff.texts()[0]
            assert request.startswith("🙋 #1 Een bewoner vraagt een medewerker.")
            assert "Kanaal: sms, nummer …222, taal: nl" in request
            assert "“ik wil met iemand praten”" in request
            assert "470111222" not in request and ANN not in request
            asked = staff.message_id("🙋 #1")
            await until(lambda: recorded(sessions, asked), staff.texts)

            # While waiting: forwarded, and no answer from the bot within the hour.
            await ann.text("Het gaat over mijn brief")
            await until(lambda: len(staff.texts()) == 2, staff.texts)
            assert staff.texts()[1] == "💬 #1 Bewoner: “Het gaat over mijn brief”"

            # Someone in the group who is not staff: nothing reaches the resident.
            await staff.post(group_update(STRANGER, "Ik bel haar wel", asked))
            await until(lambda: len(staff.texts()) == 3, staff.texts)
            assert staff.texts()[2].startswith("Niet verstuurd: alleen medewerkers")

            # A staff member replies to the request: the resident gets it by SMS.
            await staff.post(group_update(SOFIE, "Dag, ik bel u morgen om 10 uur.", asked))
            await ann.until(lambda: len(ann.received()) == 3)
            assert ann.received()[2] == \
                "Medewerker stad Sint-Niklaas: Dag, ik bel u morgen om 10 uur."

            # A reply to a forwarded message works too.
            forwarded = staff.message_id("💬 #1")
            await until(lambda: recorded(sessions, forwarded), staff.texts)
            await staff.post(group_update(SOFIE, "Heeft u de brief bij de hand?", forwarded))
            await ann.until(lambda: len(ann.received()) == 4)
            assert ann.received()[3].endswith("Heeft u de brief bij de hand?")

            # /done as a reply: the resident is told, and the bot asks its question again.
            await staff.post(group_update(SOFIE, "/done@digicheque_test_bot", asked))
            await ann.until(lambda: len(ann.received()) == 5)
            assert "U praat nu weer met de digicheque-bot" in ann.received()[4]
            assert "code" in ann.received()[4]
            await until(lambda: any("afgesloten door Sofie" in t for t in staff.texts()),
                        staff.texts)
            # After /done a staff reply no longer reaches the resident...
            await staff.post(group_update(SOFIE, "Nog iets?", asked))
            await until(lambda: "al afgesloten" in staff.texts()[-1], staff.texts)
            # ... and the bot answers the resident again.
            await ann.text("hallo")
            await ann.until(lambda: len(ann.received()) == 6)
            await asyncio.sleep(0.3)   # a message delivered twice would be here by now
        asyncio.run(_serving(world, engine, sessions, settings_for(twilio, telegram), body))
        texts = twilio.texts_to(ANN)
        group = telegram.texts_to(GROUP)
    assert not any("Ik bel haar wel" in t or "Nog iets?" in t for t in texts)
    assert len(group) == len(set(group)) == 5   # request, forward, three notes
    assert world.resident(ANN).state == "ask_code"
    with sessions() as s:
        [handoff] = s.scalars(select(Handoff)).all()
    assert handoff.closed_by == str(SOFIE) and handoff.closed_at is not None
    assert handoff.group_message_id is not None


def test_other_groups_still_get_the_private_chat_answer(sessions, engine):
    world = World(sessions)
    with FakeTwilio() as twilio, FakeTelegram() as telegram:
        async def body(http: httpx.AsyncClient, local: str) -> None:
            staff = StaffGroup(http, local, telegram, "webhook")
            await staff.post(group_update(SOFIE, "hallo allemaal", None, chat=OTHER_GROUP))
            await until(lambda: len(staff.texts(OTHER_GROUP)) == 1, staff.texts)
            await staff.post(group_update(SOFIE, "gewoon een babbel", None))   # staff group
            await asyncio.sleep(0.3)
        asyncio.run(_serving(world, engine, sessions, settings_for(twilio, telegram), body))
        other, group = telegram.texts_to(OTHER_GROUP), telegram.texts_to(GROUP)
    assert "privé" in other[0] or "private" in other[0] or "apart" in other[0], other
    assert group == []      # staff talking among themselves: the bot keeps quiet
