"""The Telegram adapter: updates in (fixture files), keyboards out, errors mapped, polling.

Table-driven as in courier: each row names a fixture file under fixtures/ and what the
engine must receive. Sending and polling go over real HTTP to the fake Bot API.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, OperationalError
from telegram import Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.telegram import (
    LIMITS,
    TelegramPoller,
    TelegramSender,
    UnreadableUpdate,
    keyboard,
    make_bot,
    map_error,
    register_webhook,
    update_to_incoming,
)
from bot.commands.run import database_answers
from bot.config import TelegramSettings
from bot.errors import Permanent, RecipientGone, SendError, Temporary, Throttled, Unanswered
from bot.sender import Sender
from conversations.incoming import Incoming, Kind
from storage.db import make_engine
from storage.models import Inbound, Outbox
from storage.outbox import OutboxMessage, OutboxStore
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, text_update

FIXTURES = Path(__file__).parent / "fixtures"
POISON = FIXTURES / "poison"
MARIA = "424242001"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


def settings_for(fake: FakeTelegram) -> TelegramSettings:
    return TelegramSettings(token=TOKEN, api_base_url=fake.base_url)


# ---------------------------------------------------------------------------- inbound

# fixture file -> (kind, text, address, language hint); None: ignored
UPDATES: list[tuple[str, tuple[Kind, str, str, str | None] | None]] = [
    ("text.json", (Kind.TEXT, "dinsdag namiddag", MARIA, "nl")),
    ("text_language_region.json", (Kind.TEXT, "bonjour", MARIA, "fr")),
    ("no_language.json", (Kind.TEXT, "ja", "424242002", None)),
    ("start.json", (Kind.TEXT, "/start", MARIA, "nl")),
    ("start_deep_link.json", (Kind.TEXT, "/start AB12CD34E", MARIA, "nl")),
    ("photo_with_caption.json", (Kind.PHOTO, "AB12 CD34E", MARIA, "nl")),
    ("voice.json", (Kind.VOICE, "", MARIA, "nl")),
    ("audio.json", (Kind.VOICE, "", MARIA, "nl")),
    ("sticker.json", (Kind.STICKER, "👍", MARIA, "nl")),
    ("location.json", (Kind.LOCATION, "", MARIA, "nl")),
    ("document.json", (Kind.OTHER, "", MARIA, "nl")),
    ("contact.json", (Kind.TEXT, "+32470123456", MARIA, "nl")),   # "Deel mijn nummer"
    ("edited_message.json", (Kind.EDITED, "woensdag", MARIA, "nl")),
    ("group.json", (Kind.GROUP, "hallo allemaal", "-100555", "nl")),
    ("supergroup_command.json",
     (Kind.GROUP, "/start@digicheque_test_bot AB12CD34E", "-1001234567890", "nl")),
    ("callback_query.json", None),
    ("my_chat_member_blocked.json", None),
]


@pytest.mark.parametrize("name, expected", UPDATES, ids=[u[0] for u in UPDATES])
def test_update_to_incoming(name, expected):
    update = load(name)
    incoming = update_to_incoming(update)
    if expected is None:
        assert incoming is None
        return
    kind, text, address, language = expected
    # The sender's name and, in groups, who replied to what: test_group_reply_* below.
    incoming = dataclasses.replace(incoming, first_name=None, sender_id=None, reply_to=None)
    assert incoming == Incoming(channel="telegram", address=address,
                                provider_id=str(update["update_id"]), text=text, kind=kind,
                                language_hint=language)


@pytest.mark.parametrize("name", [u[0] for u in UPDATES])
def test_polling_sees_what_the_webhook_sees(name):
    """getUpdates goes through telegram.Update; the round trip must not change the result."""
    update = load(name)
    round_trip = json.loads(Update.de_json(update, None).to_json())
    assert update_to_incoming(round_trip) == update_to_incoming(update)


def test_slash_command_with_bot_name_is_normalised():
    update = text_update(5, "/start@digicheque_test_bot XY", update_id=1)
    assert update_to_incoming(update).text == "/start XY"


@pytest.mark.parametrize("update", [
    {}, [], {"update_id": "12"}, {"update_id": True},
    {"update_id": 1, "message": {"text": "no chat"}},
    {"update_id": 1, "message": {"chat": {"id": "5"}, "text": "id as text"}},
    {"update_id": 1, "message": "not an object"},
], ids=repr)
def test_broken_updates_are_refused(update):
    with pytest.raises(ValueError):
        update_to_incoming(update)


@pytest.mark.parametrize("update", [
    None, 7, 1.5, "text", [{"update_id": 1}],
    {"update_id": 1, "message": []}, {"update_id": 1, "message": 7},
    {"update_id": 1, "message": {"chat": {"id": 5, "type": ["private"]}}},
    {"update_id": 1, "message": {"chat": {"id": 5, "type": {}}}},
    {"update_id": 1, "edited_message": {"chat": {"id": 5, "type": ["x"]}}},
    {"update_id": 1, "message": {"chat": {"id": 2**63, "type": "private"}}},
    {"update_id": -(2**63) - 1, "message": {"chat": {"id": 5, "type": "private"}}},
    {"update_id": 1.0, "message": {"chat": {"id": 5, "type": "private"}}},
], ids=repr)
def test_any_json_that_is_not_an_update_raises_one_error(update):
    """Total over JSON: UnreadableUpdate, never AttributeError or TypeError."""
    with pytest.raises(UnreadableUpdate):
        update_to_incoming(update)


@pytest.mark.parametrize("message, expected", [
    ({"sticker": "x"}, (Kind.STICKER, "")),
    ({"sticker": ["x"]}, (Kind.STICKER, "")),
    ({"sticker": {"emoji": 5}}, (Kind.STICKER, "")),
    ({"photo": [], "caption": {"text": "AB12"}}, (Kind.PHOTO, "")),
    ({"text": ["ja"]}, (Kind.OTHER, "")),
    ({"text": "ja", "from": "Maria"}, (Kind.TEXT, "ja")),
], ids=repr)
def test_optional_fields_of_the_wrong_type_are_read_as_absent(message, expected):
    update = {"update_id": 3, "message": {"chat": {"id": 5, "type": "private"}, **message}}
    incoming = update_to_incoming(update)
    assert (incoming.kind, incoming.text, incoming.language_hint) == (*expected, None)


# ---------------------------------------------------------------------------- outbound

@pytest.mark.parametrize("choices, expected", [
    (None, {"remove_keyboard": True}),
    ([], {"remove_keyboard": True}),
    (["Ja", "Nee"], {"keyboard": [["Ja", "Nee"]]}),
    (["1", "2", "3", "4"], {"keyboard": [["1", "2"], ["3", "4"]]}),
    (["ma", "di", "wo", "do", "vr"], {"keyboard": [["ma", "di", "wo"], ["do", "vr"]]}),
    (["dinsdag 3 december 10:00", "woensdag 4 december 14:00", "Andere dag"],
     {"keyboard": [["dinsdag 3 december 10:00"], ["woensdag 4 december 14:00"],
                   ["Andere dag"]]}),
])
def test_keyboard(choices, expected):
    markup = keyboard(choices).to_dict()
    if "keyboard" in expected:
        assert [[b["text"] for b in row] for row in markup["keyboard"]] == expected["keyboard"]
        assert markup["resize_keyboard"] is True and markup["one_time_keyboard"] is True
    else:
        assert markup == expected


def test_a_contact_button_shares_the_residents_number():
    markup = keyboard(["request_contact:Deel mijn nummer", "Nee"]).to_dict()
    assert markup["keyboard"] == [[{"text": "Deel mijn nummer", "request_contact": True}],
                                  [{"text": "Nee"}]]   # a long label: a row of its own
    markup = keyboard(["request_contact:Ja", "Nee"]).to_dict()   # the marker is no length
    assert markup["keyboard"] == [[{"text": "Ja", "request_contact": True}, {"text": "Nee"}]]


def test_a_shared_contact_without_plus_is_read_in_international_form():
    update = load("contact.json")
    update["message"]["contact"]["phone_number"] = "32470123456"
    incoming = update_to_incoming(update)
    assert incoming is not None and (incoming.kind, incoming.text) == (Kind.TEXT,
                                                                       "+32470123456")
    update["message"]["contact"] = {"first_name": "Maria"}   # a card without a number
    incoming = update_to_incoming(update)
    assert incoming is not None and (incoming.kind, incoming.text) == (Kind.OTHER, "")


@pytest.mark.parametrize("error, expected", [
    (RetryAfter(7), Throttled),
    (Forbidden("Forbidden: bot was blocked by the user"), RecipientGone),
    (BadRequest("Bad Request: chat not found"), Permanent),
    (ChatMigrated(-100123), Permanent),
    (TimedOut(), Unanswered),  # sent, no answer: it may have arrived
    (NetworkError("Bad Gateway"), Temporary),
    (Conflict("terminated by other getUpdates request"), Temporary),
    (InvalidToken(), Temporary),
    (TelegramError("something new"), Temporary),
], ids=lambda v: v.__class__.__name__ if isinstance(v, Exception) else v.__name__)
def test_map_error(error, expected):
    mapped = map_error(error)
    assert type(mapped) is expected
    if isinstance(mapped, Throttled):
        assert mapped.retry_after == 7


# What the fake answers -> what TelegramSender raises (real HTTP, real client).
ANSWERS = [
    ({"status": 429, "description": "Too Many Requests: retry after 3", "retry_after": 3},
     Throttled),
    ({"status": 403, "description": "Forbidden: bot was blocked by the user"}, RecipientGone),
    ({"status": 403, "description": "Forbidden: user is deactivated"}, RecipientGone),
    ({"status": 400, "description": "Bad Request: chat not found"}, Permanent),
    ({"status": 500, "description": "Internal Server Error"}, Temporary),
    ({"status": 502, "description": "Bad Gateway", "html": True}, Temporary),
]


def test_sender_maps_each_answer(fake):
    message = OutboxMessage(id=1, channel="telegram", address=MARIA, body="Dag Maria",
                            choices=["Ja", "Nee"], priority=0, attempts=0)

    async def scenario() -> list[tuple[type[SendError] | None, float | None]]:
        got: list[tuple[type[SendError] | None, float | None]] = []
        async with make_bot(settings_for(fake)) as bot:
            sender = TelegramSender(bot)
            for answer, _expected in ANSWERS:
                fake.fail_next(answer.pop("status"), answer.pop("description"), **answer)
                try:
                    await sender.send(message)
                    got.append((None, None))
                except SendError as exc:
                    got.append((type(exc), getattr(exc, "retry_after", None)))
            got.append((None, float(await sender.send(message))))
        return got

    results = asyncio.run(scenario())
    assert [r[0] for r in results[:-1]] == [expected for _a, expected in ANSWERS]
    assert results[0][1] == 3.0
    assert fake.texts_to(MARIA) == ["Dag Maria"]
    assert fake.delivered[0].reply_markup["keyboard"] == [[{"text": "Ja"}, {"text": "Nee"}]]
    assert results[-1][1] == float(fake.delivered[0].message_id)


def test_unreachable_api_is_temporary():
    settings = TelegramSettings(token=TOKEN, api_base_url="http://127.0.0.1:9/bot")
    message = OutboxMessage(id=1, channel="telegram", address=MARIA, body="x", choices=None,
                            priority=0, attempts=0)

    async def scenario() -> None:
        bot = make_bot(settings)
        with pytest.raises(Temporary, match="NetworkError"):
            await TelegramSender(bot).send(message)
        await bot.request.shutdown()  # never initialised (getMe cannot succeed), so not
        # bot.shutdown(): close the connection pool the send opened

    asyncio.run(scenario())


def test_limits_stay_under_telegrams():
    assert LIMITS.global_burst + LIMITS.global_rate <= 30
    assert LIMITS.chat_rate <= 1
    rate, burst = LIMITS.for_chat("-1001234567890")     # a group: 20 a minute at most
    assert burst + 60 * rate <= 20
    assert LIMITS.for_chat("123456789") == (LIMITS.chat_rate, LIMITS.chat_burst)


# ---------------------------------------------------------------------------- webhook

def test_register_webhook_sends_secret_and_update_types(fake):
    async def scenario() -> None:
        async with make_bot(settings_for(fake)) as bot:
            await register_webhook(bot, "https://bot.example.org/telegram", "s3cret-token")
            with pytest.raises(ValueError, match="secret_token"):
                await register_webhook(bot, "https://bot.example.org/telegram", "")

    asyncio.run(scenario())
    assert fake.webhook == {"url": "https://bot.example.org/telegram",
                            "secret_token": "s3cret-token",
                            "allowed_updates": ["message", "edited_message"]}


# ---------------------------------------------------------------------------- polling

def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_long_polling_feeds_the_engine_and_the_replies_go_out(sessions, clock, fake,
                                                              echo_engine):
    fake.push_update(text_update(111, "AB12CD34E"))
    sticker = load("sticker.json")
    sticker.pop("update_id")
    fake.push_update(sticker)
    fake.push_update({"callback_query": load("callback_query.json")["callback_query"]})
    repeated = fake.push_update(text_update(222, "ja"))
    fake.push_update(dict(repeated))  # Telegram delivers it again (same update_id)

    async def scenario() -> TelegramPoller:
        async with make_bot(settings_for(fake)) as bot:
            store = OutboxStore(sessions, clock)
            async with Sender(store, {"telegram": TelegramSender(bot)}, {"telegram": LIMITS},
                              poll_interval=30) as sender:
                echo_engine.delivery = sender
                poller = TelegramPoller(bot, echo_engine.handle, metrics=sender.metrics,
                                        poll_timeout=1)
                task = asyncio.create_task(poller.run())
                await fake.until(lambda: len(fake.delivered) == 3)
                await fake.until(lambda: fake.pending_updates() == 0)  # offsets confirmed
                poller.stop()
                await task
                assert sender.metrics.messages_in.value(channel="telegram") == 3
                assert sender.metrics.duplicates_in.value(channel="telegram") == 1
        return poller

    poller = asyncio.run(scenario())
    assert fake.texts_to("111") == ["echo: AB12CD34E"]
    assert fake.texts_to("424242001") == ["echo: 👍"]
    assert fake.texts_to("222") == ["echo: ja"]
    assert poller.offset == repeated["update_id"] + 1
    assert [name for name, _ in fake.calls][:2] == ["getme", "deletewebhook"]
    assert _count(sessions, Inbound) == 3


UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none"


def test_polling_does_not_move_past_an_update_while_the_database_is_away(sessions, clock, fake,
                                                                         engine_handle):
    """A transient error is retried (and counted) for as long as the database does not
    answer, however many tries that takes: the update is fine, the database is away."""
    update = fake.push_update(text_update(333, "hallo"))
    seen: list[str] = []

    def flaky(msg: Incoming) -> bool:
        seen.append(msg.provider_id)
        if len(seen) <= 4:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return engine_handle(msg)

    away = make_engine(UNREACHABLE)

    async def scenario() -> TelegramPoller:
        async with make_bot(settings_for(fake)) as bot:
            poller = TelegramPoller(bot, flaky, poll_timeout=1, retry_delay=0.05,
                                    database_up=functools.partial(database_answers, away),
                                    retries_before_check=2)
            task = asyncio.create_task(poller.run())
            await fake.until(lambda: len(seen) == 5)
            await fake.until(lambda: fake.pending_updates() == 0)
            poller.stop()
            await task
        return poller

    poller = asyncio.run(scenario())
    away.dispose()
    assert seen == [str(update["update_id"])] * 5
    assert poller.offset == update["update_id"] + 1
    assert _count(sessions, Inbound) == 1 and _count(sessions, Outbox) == 1
    assert poller.metrics.database_retries.value(channel="telegram") == 4
    assert poller.metrics.updates_skipped.value(channel="telegram", reason="failed") == 0


def _poll_past(fake: FakeTelegram, handle, update_id: int, **options) -> TelegramPoller:
    """Poll until the offset is past `update_id` and Telegram was told so; the poller must
    still be running then (poison does not end it)."""
    async def scenario() -> TelegramPoller:
        async with make_bot(settings_for(fake)) as bot:
            poller = TelegramPoller(bot, handle, poll_timeout=1, **options)
            task = asyncio.create_task(poller.run())
            await fake.until(lambda: task.done() or (poller.offset == update_id + 1
                                                     and fake.pending_updates() == 0))
            assert not task.done(), task.exception()
            poller.stop()
            await task
        return poller

    return asyncio.run(scenario())


POLLED_POISON = ["message_list.json", "chat_missing.json", "chat_type_list.json",
                 "chat_id_65_digits.json", "sticker_text.json", "edited_chat_type_list.json"]


def test_polling_skips_what_it_cannot_read_and_goes_on(sessions, fake, echo_engine, caplog):
    """Before, one such update stopped polling, and every restart stopped on it again."""
    caplog.set_level(logging.INFO)
    updates = sorted((load(f"poison/{name}") for name in POLLED_POISON),
                     key=lambda u: u["update_id"])
    for update in updates:
        fake.push_update(update)
    last = fake.push_update(text_update(555, "hallo"))

    poller = _poll_past(fake, echo_engine.handle, last["update_id"], retry_delay=0.05)

    with sessions() as s:  # the sticker without an emoji, and hallo
        assert set(s.scalars(select(Inbound.provider_id))) == {"910040",
                                                                str(last["update_id"])}
    assert poller.metrics.updates_skipped.value(channel="telegram", reason="unreadable") == 5
    assert poller.metrics.messages_in.value(channel="telegram") == 2
    assert "424242077" not in caplog.text and "Kerkstraat" not in caplog.text


@pytest.mark.parametrize("error", [
    ValueError("a bug"),                                      # ended polling, exit status 0
    DataError("INSERT", {}, Exception("value too long")),     # was retried forever
], ids=lambda e: e.__class__.__name__)
def test_polling_skips_an_update_that_fails_for_itself(sessions, fake, engine_handle, caplog,
                                                       error):
    poison = fake.push_update(text_update(444, "Kerkstraat 12"))
    last = fake.push_update(text_update(555, "hallo"))

    def handle(msg: Incoming) -> bool:
        if msg.provider_id == str(poison["update_id"]):
            raise error
        return engine_handle(msg)

    poller = _poll_past(fake, handle, last["update_id"], retry_delay=0.05)

    assert poller.metrics.updates_skipped.value(channel="telegram", reason="failed") == 1
    assert poller.metrics.messages_in.value(channel="telegram") == 1
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert line.startswith(f"Telegram update {poison['update_id']} failed "
                           f"({error.__class__.__name__}")
    assert "Kerkstraat" not in caplog.text and "444" not in caplog.text
    with sessions() as s:
        assert list(s.scalars(select(Inbound.provider_id))) == [str(last["update_id"])]


def test_polling_gives_up_a_transient_error_that_persists_while_the_database_answers(
        sessions, engine, fake, engine_handle, caplog):
    """A statement timeout or deadlock that comes back every time for one update must not
    hold up every later update: after RETRIES_BEFORE_CHECK tries, a database that answers
    means the update is to blame."""
    poison = fake.push_update(text_update(444, "hallo"))
    last = fake.push_update(text_update(555, "hallo"))
    tries: list[str] = []

    def handle(msg: Incoming) -> bool:
        if msg.provider_id == str(poison["update_id"]):
            tries.append(msg.provider_id)
            raise OperationalError("UPDATE", {}, Exception("canceling statement due to "
                                                          "statement timeout"))
        return engine_handle(msg)

    poller = _poll_past(fake, handle, last["update_id"], retry_delay=0.01,
                        database_up=functools.partial(database_answers, engine),
                        retries_before_check=3)

    assert len(tries) == 3
    assert poller.metrics.database_retries.value(channel="telegram") == 2
    assert poller.metrics.updates_skipped.value(channel="telegram", reason="failed") == 1
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f"Telegram update {poison['update_id']} failed (OperationalError" in line
    assert "3 times while the database answers" in line


def test_a_revoked_token_ends_polling(fake):
    """Nothing can work without a token: polling ends (and `run` with it), it does not
    retry for ever."""
    async def scenario() -> None:
        async with make_bot(settings_for(fake)) as bot:
            poller = TelegramPoller(bot, lambda msg: True, poll_timeout=1, retry_delay=0.01)
            task = asyncio.create_task(poller.run())
            await fake.until(lambda: any(name == "getupdates" for name, _ in fake.calls))
            fake.revoke_token()
            with pytest.raises(InvalidToken):
                await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())


def test_stopping_the_poller_interrupts_a_long_poll(fake):
    async def scenario() -> None:
        async with make_bot(settings_for(fake)) as bot:
            poller = TelegramPoller(bot, lambda msg: True, poll_timeout=30)
            task = asyncio.create_task(poller.run())
            await fake.until(lambda: any(name == "getupdates" for name, _ in fake.calls))
            poller.stop()
            await asyncio.wait_for(task, timeout=5)  # a TimeoutError fails the test
            assert task.done() and task.exception() is None

    asyncio.run(scenario())


def test_durations_are_timedelta_not_deprecated_ints():
    """We opt in to python-telegram-bot's timedelta periods (no warnings at a 429)."""
    assert RetryAfter(5).retry_after == timedelta(seconds=5)
