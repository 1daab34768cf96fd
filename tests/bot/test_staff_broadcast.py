"""`/broadcast` on Telegram (bot/staff_broadcast.py): staff choose an audience, write the
text, see the preview and send with the button; anyone else gets the resident
conversation. On the real engine and database, and end to end over the fake Bot API."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from sqlalchemy import select

from bot.commands.run import serve
from bot.config import Settings, StaffSettings, TelegramSettings
from bot.handoffs import StaffDesk
from conversations.incoming import Incoming
from storage.models import Broadcast, Outbox
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update
from tests.auxil.world import World

SOFIE, PIETER = "42", "4343"            # staff, and a resident who tries /broadcast
RESIDENTS = ["7001", "7002", "+32470111222"]
_ids = itertools.count(1)


@pytest.fixture
def world(sessions):
    w = World(sessions)
    for address in RESIDENTS:
        w.resident(address, "sms" if address.startswith("+") else "telegram").say("hallo")
    return w


def say(world: World, desk: StaffDesk, who: str, text: str) -> tuple[str, list[str]]:
    """What `who` gets back on Telegram: the text and the buttons."""
    desk.handle(Incoming("telegram", who, f"b{next(_ids)}", text))
    with world.sessions() as s:
        row = s.scalars(select(Outbox).where(Outbox.address == who)
                        .order_by(Outbox.id.desc()).limit(1)).one()
        return row.body, list(row.choices or [])


def test_staff_preview_and_send_only_with_the_button(world):
    desk = StaffDesk(world.engine, "", [SOFIE])
    world.resident(SOFIE, "telegram").say("hallo")       # Sofie is in the code question
    text, buttons = say(world, desk, SOFIE, "/broadcast")
    assert text == "Een aankondiging aan bewoners. Aan wie?"
    assert buttons[0] == "Alle bewoners (4)" and buttons[-1] == "Niet versturen"
    text, buttons = say(world, desk, SOFIE, "Alle bewoners (4)")
    assert "Welke tekst krijgen zij?" in text
    text, buttons = say(world, desk, SOFIE, "Het stadhuis is maandag gesloten.")
    assert "Het stadhuis is maandag gesloten." in text
    assert "telegram nl: 3" in text and "sms nl: 1" in text and "Samen: 4" in text
    assert "Per sms: 1 deel/delen\n" in text
    assert buttons == ["Versturen", "Niet versturen"]
    with world.sessions() as s:
        assert s.scalars(select(Broadcast)).all() == []     # nothing before the button
    text, _ = say(world, desk, SOFIE, "Versturen")
    with world.sessions() as s:
        [broadcast] = s.scalars(select(Broadcast)).all()
        rows = s.scalars(select(Outbox).where(Outbox.broadcast_id == broadcast.id)).all()
    assert text.startswith(f"Verstuurd: aankondiging #{broadcast.id} naar 4 bewoner(s).")
    assert broadcast.created_by == f"telegram:{SOFIE}" and broadcast.texts == {
        "nl": "Het stadhuis is maandag gesloten."}
    assert sorted(r.address for r in rows) == sorted([*RESIDENTS, SOFIE])
    assert world.resident(SOFIE, "telegram").state == "ask_code"   # as before the dialog


def test_not_sending_sends_nothing(world):
    desk = StaffDesk(world.engine, "", [SOFIE])
    say(world, desk, SOFIE, "/broadcast")
    say(world, desk, SOFIE, "1")
    say(world, desk, SOFIE, "Test")
    text, _ = say(world, desk, SOFIE, "Niet versturen")
    assert text.startswith("Niet verstuurd.")
    with world.sessions() as s:
        assert s.scalars(select(Broadcast)).all() == []
        assert s.scalars(select(Outbox).where(Outbox.broadcast_id.is_not(None))).all() == []


def test_someone_not_in_the_staff_list_gets_the_resident_conversation(world):
    desk = StaffDesk(world.engine, "", [SOFIE])
    text, _ = say(world, desk, PIETER, "/broadcast")
    assert "code" in text and "aankondiging" not in text
    text, _ = say(world, desk, PIETER, "Alle bewoners (4)")
    assert "aankondiging" not in text
    with world.sessions() as s:
        assert s.scalars(select(Broadcast)).all() == []
    assert world.resident(PIETER, "telegram").state == "ask_code"


def test_over_telegram_staff_broadcast_and_a_residents_try(sessions, engine):
    """Through `run`: updates by webhook, buttons and the broadcast through the fake."""
    world = World(sessions)
    with FakeTelegram() as fake:
        settings = Settings(telegram=TelegramSettings(token=TOKEN, secret_token="s" * 24,
                                                      api_base_url=fake.base_url),
                            staff=StaffSettings(telegram_ids=[SOFIE]))

        async def scenario() -> None:
            stop = asyncio.Event()
            sock = free_socket()
            running = asyncio.create_task(serve(settings, engine, sessions, world.clock,
                                                sock=sock, stop=stop))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
            async with httpx.AsyncClient() as http:
                for _ in range(200):
                    try:
                        if (await http.get(url.replace("/telegram", "/healthz"))).is_success:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.05)

                async def send(chat: str, text: str, expected: str) -> None:
                    seen = len(fake.texts_to(chat))
                    answer = await http.post(url, json=text_update(int(chat), text,
                                                                   update_id=next(_ids)),
                                             headers={"X-Telegram-Bot-Api-Secret-Token":
                                                      "s" * 24})
                    assert answer.status_code == 200
                    await fake.until(lambda: any(expected in t for t in
                                                 fake.texts_to(chat)[seen:]))

                await send("7001", "hallo", "code")
                await send(PIETER, "/broadcast", "code")           # a resident: no powers
                await send(SOFIE, "/broadcast", "Aan wie?")
                await send(SOFIE, "Alle bewoners (3)", "Welke tekst")
                await send(SOFIE, "Maandag is het stadhuis dicht.", "Versturen?")
                await send(SOFIE, "Versturen", "Verstuurd: aankondiging #1 naar 3")
                await fake.until(lambda: "Maandag is het stadhuis dicht." in
                                 fake.texts_to("7001") and "Maandag is het stadhuis dicht."
                                 in fake.texts_to(PIETER))
            stop.set()
            await asyncio.wait_for(running, timeout=15)
            sock.close()

        asyncio.run(scenario())
        preview = next(r for r in fake.delivered if r.chat_id == SOFIE
                       and r.text.endswith("Versturen?"))
    buttons = [b["text"] for row in preview.reply_markup["keyboard"] for b in row]
    assert buttons == ["Versturen", "Niet versturen"]
    with sessions() as s:
        [broadcast] = s.scalars(select(Broadcast)).all()
    assert broadcast.recipients == 3


def test_french_and_english_speakers_get_their_own_text_or_the_dutch_one(world):
    """Translations are asked only for languages the audience has; skipping one sends
    its speakers the Dutch text."""
    world.resident("7002", "telegram").say("FR")
    world.resident("+32470111222").say("EN")
    desk = StaffDesk(world.engine, "", [SOFIE])
    say(world, desk, SOFIE, "/broadcast")
    say(world, desk, SOFIE, "1")
    text, buttons = say(world, desk, SOFIE, "Het stadhuis is maandag gesloten.")
    assert text.startswith("1 van hen spreekt Frans.") and buttons == ["Overslaan",
                                                                      "Niet versturen"]
    text, buttons = say(world, desk, SOFIE, "L'hôtel de ville est fermé lundi.")
    assert text.startswith("1 van hen spreekt Engels.")
    text, buttons = say(world, desk, SOFIE, "Overslaan")
    assert buttons == ["Versturen", "Niet versturen"]
    assert "Tekst nl (3 bewoner(s)):\nHet stadhuis is maandag gesloten.\n" \
        "Per sms: 1 deel/delen" in text
    assert "Tekst fr (1 bewoner(s)):\nL'hôtel de ville est fermé lundi.\n" \
        "Per sms als: L'hotel de ville est fermé lundi.\n" \
        "Per sms: 1 deel/delen" in text               # ô is not in the SMS alphabet
    assert "Tekst en" not in text and "sms en: 1" in text
    say(world, desk, SOFIE, "Versturen")
    with world.sessions() as s:
        [broadcast] = s.scalars(select(Broadcast)).all()
        got = {r.address: r.body for r in s.scalars(
            select(Outbox).where(Outbox.broadcast_id == broadcast.id))}
    assert broadcast.texts == {"nl": "Het stadhuis is maandag gesloten.",
                               "fr": "L'hôtel de ville est fermé lundi."}
    assert got["7002"] == "L'hôtel de ville est fermé lundi."
    assert got["+32470111222"] == got["7001"] == "Het stadhuis is maandag gesloten."
