"""Telegram's "share my number" (issue 9): asked for a phone number, a resident on
Telegram gets a button that shares the number of their account, and the shared contact
is read as the answer. Real parts: uvicorn serving our app, the engine and database, the
sender, python-telegram-bot against the fake Bot API on loopback, real Update JSON."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from bot.commands.run import serve
from bot.config import Settings, TelegramSettings
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update
from tests.auxil.world import World

SECRET = "e2e-secret-0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHAT = 7002


def contact_update(chat_id: int, phone_number: str, update_id: int) -> dict[str, Any]:
    """What Telegram sends when the resident taps a request_contact button."""
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1764576000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Resident",
                 "language_code": "nl"},
        "contact": {"phone_number": phone_number, "first_name": "Resident",
                    "user_id": chat_id}}}


def run_script(world: World, engine: Any, sessions: Any, fake: FakeTelegram,
               script: list[tuple[dict[str, Any], str]]) -> None:
    """Post each update to the webhook and wait for the reply that must follow it."""
    settings = Settings(telegram=TelegramSettings(
        token=TOKEN, secret_token=SECRET, api_base_url=fake.base_url))

    async def scenario() -> None:
        stop = asyncio.Event()
        sock = free_socket()
        running = asyncio.create_task(serve(settings, engine, sessions, world.clock,
                                            sock=sock, stop=stop))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                try:
                    if (await http.get(url.replace("/telegram", "/healthz"))).status_code \
                            == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            for update, expected in script:
                seen = len(fake.texts_to(str(CHAT)))
                answer = await http.post(url, headers={HEADER: SECRET}, json=update)
                assert answer.status_code == 200
                await fake.until(lambda e=expected, n=seen: any(
                    e in t for t in fake.texts_to(str(CHAT))[n:]))
        stop.set()
        await asyncio.wait_for(running, timeout=15)
        sock.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("shared", ["+32470123456", "32470123456"])   # with or without +
def test_the_number_shared_by_the_button_is_the_one_the_coach_calls(sessions, engine, shared):
    world = World(sessions)
    world.coach()
    code = world.cheque()
    with FakeTelegram() as fake:
        run_script(world, engine, sessions, fake, [
            (text_update(CHAT, "/start", update_id=200), "Stuur de code"),
            (text_update(CHAT, code, update_id=201), "Wat is uw postcode?"),
            (text_update(CHAT, "9100 Kerkstraat 12", update_id=202),
             "Tik op 'Deel mijn nummer'"),
            (contact_update(CHAT, shared, 203), "Waarmee wilt u hulp?"),
            (text_update(CHAT, "itsme", update_id=204), "Wanneer mag de coach komen?"),
            (text_update(CHAT, "donderdag namiddag", update_id=205), "donderdag 3 december"),
            (text_update(CHAT, "Ja, boek het", update_id=206), "Gelukt!"),
        ])
        records = [r for r in fake.delivered if r.chat_id == str(CHAT)]
    question = next(r for r in records if "Deel mijn nummer" in r.text)
    assert question.reply_markup["keyboard"] == [
        [{"text": "Deel mijn nummer", "request_contact": True}]]
    confirm = next(r for r in records if "donderdag 3 december" in r.text)
    assert "0470 12 34 56" in confirm.text
    [booking] = world.bookings()
    assert booking.phone == "+32470123456"


def test_a_shared_number_in_the_menu_offers_to_change_the_visits_number(sessions, engine):
    world = World(sessions)
    world.coach()
    code = world.cheque()
    with FakeTelegram() as fake:
        run_script(world, engine, sessions, fake, [
            (text_update(CHAT, "/start", update_id=300), "Stuur de code"),
            (text_update(CHAT, code, update_id=301), "Wat is uw postcode?"),
            (text_update(CHAT, "9100 Kerkstraat 12", update_id=302), "Deel mijn nummer"),
            (text_update(CHAT, "0470 12 34 56", update_id=303), "Waarmee wilt u hulp?"),
            (text_update(CHAT, "itsme", update_id=304), "Wanneer mag de coach komen?"),
            (text_update(CHAT, "1", update_id=305), "Klopt dit?"),
            (text_update(CHAT, "Ja, boek het", update_id=306), "Gelukt!"),
            (text_update(CHAT, "ik heb een nieuw nummer", update_id=307),
             "Wat is uw nieuwe nummer?"),
            (contact_update(CHAT, "+32485112233", 308), "0485 11 22 33"),
            (text_update(CHAT, "ja", update_id=309), "de coach belt u op 0485 11 22 33"),
        ])
        records = [r for r in fake.delivered if r.chat_id == str(CHAT)]
    asked = next(r for r in records if "Wat is uw nieuwe nummer?" in r.text)
    assert {"text": "Deel mijn nummer", "request_contact": True} in \
        [b for row in asked.reply_markup["keyboard"] for b in row]
    [booking] = world.bookings()
    assert booking.phone == "+32485112233"
