"""A reminder end to end: swept into the outbox, delivered by `run`'s real sender to the
fake Bot API and the fake Twilio REST server, and the resident's answer back through
the webhooks (uvicorn on a free port, real HTTP, the real clients)."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
from sqlalchemy import update

from bot.commands.run import serve
from bot.config import Settings, TelegramSettings, TwilioSettings
from bot.jobs import sweep_reminders
from conversations.engine import Engine
from storage.models import Outbox, OutboxStatus
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update
from tests.auxil.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    FakeTwilio,
    inbound_form,
    sign,
)
from tests.auxil.world import World, local

SECRET = "e2e-reminder-secret-0123456789"
PUBLIC = "https://sms.example.org/dc"
ANN, CHAT = "+32470111222", 7001
WED = date(2026, 12, 2)


def book(world: World) -> None:
    """Ann by SMS and Bea on Telegram each book Thursday; their replies count as sent."""
    ann = world.resident(ANN)
    ann.up_to_topic(world.cheque(seed=1), "9100 Kerkstraat 12")
    ann.say("2")
    ann.say("donderdag om 9u")
    assert "Gelukt" in ann.say("ja")
    bea = world.resident(str(CHAT), channel="telegram")
    for text in ("hallo", world.cheque(seed=2), "9100 Markt 3", "0470 12 34 56", "2",
                 "donderdag 13u"):
        bea.say(text)
    assert "Gelukt" in bea.say("Ja, boek het")
    with world.sessions.begin() as s:
        s.execute(update(Outbox).values(status=OutboxStatus.SENT))


async def until(predicate, what, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not in time: {what()}")
        await asyncio.sleep(0.02)


def test_a_reminder_delivered_by_telegram_and_sms_and_answered(sessions, engine):
    world = World(sessions)
    world.coach(capacity=2)
    book(world)
    world.clock.set(local(WED, 13, 1))
    with FakeTelegram() as telegram, FakeTwilio() as twilio:
        settings = Settings(
            telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                      api_base_url=telegram.base_url),
            twilio=TwilioSettings(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
                                  from_number=OUR_NUMBER, public_base_url=PUBLIC,
                                  api_base_url=twilio.base_url, send_rate=50.0))

        async def scenario() -> None:
            stop = asyncio.Event()
            sock = free_socket()
            running = asyncio.create_task(serve(settings, engine, sessions, world.clock,
                                                sock=sock, stop=stop))
            local_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            try:
                async with httpx.AsyncClient(timeout=10) as http:
                    for _ in range(200):
                        try:
                            if (await http.get(local_url + "/healthz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.05)
                    # Another worker's sweep: the running sender finds the rows itself.
                    other = Engine(sessions, world.rules, world.clock)
                    swept = await asyncio.get_running_loop().run_in_executor(
                        None, sweep_reminders, other)
                    assert swept == 2
                    await until(lambda: telegram.texts_to(str(CHAT))
                                and twilio.texts_to(ANN),
                                lambda: (telegram.texts_to(str(CHAT)), twilio.texts_to(ANN)))
                    answer = await http.post(
                        local_url + "/telegram",
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        json=text_update(CHAT, "Ik ben er", update_id=500))
                    assert answer.status_code == 200
                    form = inbound_form(ANN, "1", "SM" + "7" * 32)
                    answer = await http.post(
                        local_url + "/twilio/sms", data=form,
                        headers={"X-Twilio-Signature": sign(PUBLIC + "/twilio/sms", form)})
                    assert answer.status_code == 200
                    await until(lambda: len(telegram.texts_to(str(CHAT))) == 2
                                and len(twilio.texts_to(ANN)) == 2,
                                lambda: (telegram.texts_to(str(CHAT)), twilio.texts_to(ANN)))
            finally:
                stop.set()
                await asyncio.wait_for(running, timeout=20)
                sock.close()

        asyncio.run(scenario())
        to_bea = [r for r in telegram.delivered if r.chat_id == str(CHAT)]
        to_ann = twilio.texts_to(ANN)

    reminder, thanks = to_bea
    assert reminder.text == ("Herinnering: morgen, donderdag 3 december, van 13:00 tot 14:30 "
                             "komt de digitale coach bij u: Markt 3, 9100. Bent u er?")
    assert [b["text"] for row in reminder.reply_markup["keyboard"] for b in row] == \
        ["Ik ben er", "Verzetten", "Annuleren"]
    assert thanks.text == "Dank u! De coach komt op donderdag 3 december om 13:00. Tot dan!"
    assert to_ann[0] == ("Herinnering: morgen, donderdag 3 december, van 09:00 tot 10:30 komt "
                         "de digitale coach bij u: Kerkstraat 12, 9100. Bent u er?\n"
                         "1 Ik ben er\n2 Verzetten\n3 Annuleren")
    assert to_ann[1] == "Dank u! De coach komt op donderdag 3 december om 09:00. Tot dan!"
    assert all(b.confirmed_at == local(WED, 13, 1) for b in world.bookings())
    assert len(world.bookings()) == 2
