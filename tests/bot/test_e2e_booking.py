"""A whole booking over Telegram, by webhook and by long polling, through `run`.

Real parts end to end: uvicorn serving our app, the real engine and database, the
sender, python-telegram-bot as the client of a fake Bot API server on loopback.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.commands.run import serve
from bot.config import Settings, TelegramSettings
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update
from tests.auxil.world import World

SECRET = "e2e-secret-0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHAT = 7001
# What the resident types (or taps), and a piece of what they must receive next.
SCRIPT = [
    ("/start", "Stuur de code van uw digicheque"),
    ("{code}", "Wat is uw postcode?"),
    ("9100 Kerkstraat 12", "Op welk nummer mag de coach u bellen?"),
    ("0470 12 34 56", "Waarmee wilt u hulp?"),
    ("itsme", "Wanneer mag de coach komen?"),
    ("donderdag namiddag", "donderdag 3 december van 13:00 tot 14:30"),
    ("Ja, boek het", "Gelukt! De coach komt op do 3 dec om 13:00"),
]


@pytest.mark.parametrize("path", ["webhook", "polling"])
def test_whole_booking_over_telegram(sessions, engine, path):
    world = World(sessions)
    world.coach()
    code = world.cheque()
    with FakeTelegram() as fake:
        settings = Settings(telegram=TelegramSettings(
            token=TOKEN, secret_token=SECRET, api_base_url=fake.base_url))

        async def scenario() -> None:
            stop = asyncio.Event()
            sock = free_socket()
            running = asyncio.create_task(serve(settings, engine, sessions, world.clock,
                                                sock=sock, stop=stop))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
            async with httpx.AsyncClient() as http:
                await _until_serving(http, url.replace("/telegram", "/healthz"))
                for update_id, (text, expected) in enumerate(SCRIPT, start=100):
                    seen = len(fake.texts_to(str(CHAT)))
                    update = text_update(CHAT, text.format(code=code), update_id=update_id)
                    if path == "webhook":
                        answer = await http.post(url, headers={HEADER: SECRET}, json=update)
                        assert answer.status_code == 200
                    else:
                        fake.push_update(update)
                    await fake.until(lambda e=expected, n=seen: any(
                        e in t for t in fake.texts_to(str(CHAT))[n:]))
            stop.set()
            await asyncio.wait_for(running, timeout=15)
            sock.close()

        asyncio.run(scenario())

    [booking] = world.bookings()
    assert (booking.street, booking.phone, booking.topic) == \
        ("Kerkstraat 12", "+32470123456", "itsme")
    records = [r for r in fake.delivered if r.chat_id == str(CHAT)]
    topic_question = next(r for r in records if "Waarmee wilt u hulp?" in r.text)
    buttons = [b["text"] for row in topic_question.reply_markup["keyboard"] for b in row]
    assert buttons[:3] == ["Smartphone of tablet", "Computer", "itsme"]
    assert records[-1].reply_markup == {"remove_keyboard": True}
    assert len({r.text for r in records}) == len(records)   # no reply delivered twice


async def _until_serving(http: httpx.AsyncClient, health: str) -> None:
    for _ in range(200):
        try:
            if (await http.get(health)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the server did not come up")
