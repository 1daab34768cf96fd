"""The ASGI app: the Telegram webhook (G1, G9), /healthz and /metrics.

Most tests use Starlette's TestClient and a stand-in for the sender;
the end-to-end test serves the app with uvicorn on a free port, in the same event loop
as the real sender, and follows an update to the reply the fake Bot API receives.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, OperationalError

from bot.channels.telegram import ID_MAX, ID_MIN, LIMITS, TelegramSender, make_bot
from bot.config import Settings, TelegramSettings
from bot.metrics import Metrics
from bot.sender import Sender
from bot.server import MAX_BODY, create_app
from bot.wiring import conversation_engine
from conversations.incoming import Incoming
from storage.db import make_engine, make_sessionmaker
from storage.models import Conversation, Inbound, Outbox, OutboxStatus, Resident
from storage.outbox import OutboxStore
from tests.auxil.fake_telegram import (
    TOKEN,
    EchoEngine,
    FakeTelegram,
    free_socket,
    text_update,
    uvicorn_config,
)

with warnings.catch_warnings():
    # starlette 0.52's TestClient touches an alias anyio 4.16 deprecated, at import time.
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

SECRET = "webhook-secret-0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
FIXTURES = Path(__file__).parent / "fixtures"
POISON = FIXTURES / "poison"


class SenderStub:
    """Stands in for the sender where only alive and the metrics matter."""

    def __init__(self, alive: bool = True) -> None:
        self.alive = alive
        self.metrics = Metrics()


def settings(secret: str = SECRET, api_base_url: str = "http://127.0.0.1:9/bot") -> Settings:
    return Settings(telegram=TelegramSettings(token=TOKEN, secret_token=secret,
                                              api_base_url=api_base_url))


@pytest.fixture
def stub():
    return SenderStub()


@pytest.fixture
def client(engine, engine_handle, stub, clock):
    app = create_app(settings(), engine_handle, stub, engine, clock=clock)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def real_client(engine, sessions, stub, clock):
    """The app in front of the real conversation engine (bot.wiring), as `run` has it."""
    handle = conversation_engine(Settings(), sessions, clock).handle
    with TestClient(create_app(settings(), handle, stub, engine, clock=clock)) as c:
        yield c


def metric_lines(client: TestClient) -> set[str]:
    return set(client.get("/metrics").text.splitlines())


def rejected(reason: str, count: int = 1) -> str:
    return f'digicheque_webhook_rejected_total{{channel="telegram",reason="{reason}"}} {count}'


def skipped(reason: str, count: int = 1) -> str:
    return f'digicheque_updates_skipped_total{{channel="telegram",reason="{reason}"}} {count}'


def counts(sessions) -> tuple[int, int, int]:
    """(inbound, outbox, residents) rows."""
    with sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (Inbound, Outbox, Resident))


def post(client: TestClient, update: Any, secret: str | None = SECRET, **kwargs: Any):
    headers = {} if secret is None else {HEADER: secret}
    if "content" not in kwargs:
        kwargs["content"] = json.dumps(update).encode()
    return client.post("/telegram", headers={**headers, "Content-Type": "application/json"},
                       **kwargs)


# ---------------------------------------------------------------------------- webhook

@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x",
                                    SECRET.upper()], ids=repr)
def test_wrong_or_missing_secret_is_refused_and_nothing_stored(client, sessions, stub, secret):
    response = post(client, text_update(101, "AB12CD34E", update_id=1), secret=secret)
    assert response.status_code == 403
    assert counts(sessions) == (0, 0, 0)
    assert rejected("bad_secret") in metric_lines(client)


def test_secret_is_checked_before_the_body_is_read(client, sessions):
    huge = b"{" + b" " * (MAX_BODY * 4)
    assert post(client, None, secret="wrong", content=huge).status_code == 403
    assert post(client, None, content=huge).status_code == 413  # with it: the size check
    assert {rejected("bad_secret"), rejected("too_large")} <= metric_lines(client)


def test_without_a_configured_secret_everything_is_refused(engine, engine_handle, sessions):
    app = create_app(settings(secret=""), engine_handle, SenderStub(), engine)
    with TestClient(app) as c:
        assert post(c, text_update(1, "hi", update_id=1), secret="").status_code == 403
    assert counts(sessions) == (0, 0, 0)


def test_a_too_large_body_is_refused_even_without_content_length(client, sessions):
    def chunks():
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024

    assert post(client, None, content=chunks()).status_code == 413
    assert counts(sessions) == (0, 0, 0)
    assert rejected("too_large") in metric_lines(client)


# Poison: bodies Telegram would never send, through the real app and the real engine on
# both databases. What we cannot read is acknowledged (Telegram redelivers anything else
# for hours), logged without a value from it, counted, and stores nothing. An optional
# field of the wrong type is read as absent: the resident is still answered.
UNREADABLE, ANSWERED = "unreadable", "answered"
POISONS = [
    ("empty.txt", UNREADABLE),
    ("not_json.txt", UNREADABLE),
    ("bad_utf8.bin", UNREADABLE),
    ("list.json", UNREADABLE),
    ("string.json", UNREADABLE),
    ("nested_1100_deep.json", UNREADABLE),              # RecursionError in the JSON reader
    ("nested_1100_deep_in_message.json", UNREADABLE),
    ("update_id_text.json", UNREADABLE),
    ("update_id_missing.json", UNREADABLE),
    ("update_id_true.json", UNREADABLE),
    ("update_id_70_digits.json", UNREADABLE),           # was DataError -> 503 on PostgreSQL
    ("update_id_beyond_64_bits.json", UNREADABLE),
    ("message_list.json", UNREADABLE),
    ("message_text.json", UNREADABLE),
    ("chat_missing.json", UNREADABLE),
    ("chat_list.json", UNREADABLE),
    ("chat_type_list.json", UNREADABLE),                # was TypeError: unhashable -> 500
    ("chat_type_object.json", UNREADABLE),
    ("chat_id_text.json", UNREADABLE),
    ("chat_id_fraction.json", UNREADABLE),
    ("chat_id_65_digits.json", UNREADABLE),             # was DataError -> 503 on PostgreSQL
    ("chat_id_beyond_64_bits.json", UNREADABLE),
    ("edited_chat_type_list.json", UNREADABLE),
    ("sticker_text.json", ANSWERED),                    # was AttributeError -> 500
    ("sticker_list.json", ANSWERED),                    # was AttributeError -> 500
    ("sticker_emoji_object.json", ANSWERED),
    ("caption_object.json", ANSWERED),
    ("text_object.json", ANSWERED),
    ("from_list.json", ANSWERED),
    ("language_code_list.json", ANSWERED),
    ("chat_type_missing.json", ANSWERED),
]


@pytest.mark.parametrize("name, outcome", POISONS, ids=[p[0] for p in POISONS])
def test_poison_is_acknowledged_counted_and_never_a_server_error(real_client, sessions, caplog,
                                                                 name, outcome):
    caplog.set_level(logging.INFO)
    response = post(real_client, None, content=(POISON / name).read_bytes())
    assert response.status_code == 200
    lines = metric_lines(real_client)
    if outcome == UNREADABLE:
        assert {rejected("unreadable"), skipped("unreadable")} <= lines
        assert counts(sessions) == (0, 0, 0)
        assert any(r.name == "bot.server" and "unreadable Telegram update" in r.getMessage()
                   for r in caplog.records)
    else:
        assert 'digicheque_messages_in_total{channel="telegram"} 1' in lines
        inbound, outbox, residents = counts(sessions)
        assert (inbound, residents) == (1, 1) and outbox >= 1
    assert "424242077" not in caplog.text and "Kerkstraat" not in caplog.text  # masked


@pytest.mark.parametrize("chat_id, update_id", [(ID_MAX, ID_MAX), (ID_MIN, 1)],
                         ids=["largest", "smallest"])
def test_ids_at_the_ends_of_64_bits_are_answered(real_client, sessions, chat_id, update_id):
    assert post(real_client, text_update(chat_id, "/start", update_id=update_id)
                ).status_code == 200
    with sessions() as s:
        assert s.scalars(select(Resident.address)).one() == str(chat_id)
        assert s.scalars(select(Inbound.provider_id)).one() == str(update_id)
        assert s.scalar(select(func.count()).select_from(Outbox)) >= 1


def _failing(error: Exception):
    def handle(msg: Incoming) -> bool:
        raise error
    return handle


def test_an_update_that_fails_for_itself_is_skipped_not_redelivered(engine, stub, clock, caplog):
    """A failure that is not the database being away would fail again at every redelivery."""
    error = DataError("INSERT ...", {}, Exception("value too long"))
    app = create_app(settings(), _failing(error), stub, engine, clock=clock)
    with TestClient(app) as c:
        response = post(c, text_update(4242, "Kerkstraat 12", update_id=31))
        assert response.status_code == 200
        assert skipped("failed") in metric_lines(c)
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "Telegram update 31 failed (DataError" in record.getMessage()
    assert "Kerkstraat" not in caplog.text and "value too long" not in caplog.text


def test_a_transient_database_error_is_refused_for_a_redelivery(engine, stub, clock):
    error = OperationalError("INSERT ...", {}, Exception("server closed the connection"))
    app = create_app(settings(), _failing(error), stub, engine, clock=clock)
    with TestClient(app) as c:
        response = post(c, text_update(4242, "hallo", update_id=32))
        assert response.status_code == 503
        lines = metric_lines(c)
    assert rejected("database_unavailable") in lines
    assert not any(line.startswith("digicheque_updates_skipped_total{") for line in lines)


def test_an_update_type_we_do_not_handle_is_acknowledged(client, sessions, stub):
    update = json.loads((FIXTURES / "callback_query.json").read_text())
    assert post(client, update).status_code == 200
    assert counts(sessions) == (0, 0, 0)


def test_an_update_is_stored_with_its_reply(client, sessions, stub):
    response = post(client, text_update(101, "AB12CD34E", update_id=7))
    assert response.status_code == 200
    assert counts(sessions) == (1, 1, 1)
    with sessions() as s:
        inbound = s.scalars(select(Inbound)).one()
        reply = s.scalars(select(Outbox)).one()
    assert (inbound.channel, inbound.provider_id) == ("telegram", "7")
    assert (reply.address, reply.status) == ("101", OutboxStatus.PENDING)
    assert stub.metrics.messages_in.value(channel="telegram") == 1


def test_the_same_update_twice_is_handled_once(real_client, sessions, stub):
    """Telegram redelivers an update it is unsure we got: the real engine's inbound record
    (G1) makes the second delivery a no-op, on both databases."""
    update = text_update(101, "/start", update_id=8)
    assert post(real_client, update).status_code == 200
    first = counts(sessions)
    assert first[0] == 1 and first[1] >= 1
    assert post(real_client, update).status_code == 200
    assert counts(sessions) == first
    assert stub.metrics.messages_in.value(channel="telegram") == 1
    assert stub.metrics.duplicates_in.value(channel="telegram") == 1


@pytest.mark.parametrize("url", ["postgresql+psycopg://postgres@127.0.0.1:1/none",
                                 "sqlite:////nonexistent-dir/for/sure/x.db"],
                         ids=["postgresql", "sqlite"])
def test_database_unreachable_gives_503(url, clock):
    down = make_engine(url)
    handle = EchoEngine(make_sessionmaker(down), clock).handle
    stub = SenderStub()
    with TestClient(create_app(settings(), handle, stub, down, clock=clock)) as c:
        response = post(c, text_update(101, "hallo", update_id=9))
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        health = c.get("/healthz")
        assert health.status_code == 503
        assert health.json()["database"].startswith("unreachable")
        assert "digicheque_database_up 0" in c.get("/metrics").text
    assert stub.metrics.messages_in.value(channel="telegram") == 0
    assert stub.metrics.webhook_rejected.value(channel="telegram",
                                               reason="database_unavailable") == 1
    down.dispose()


# ---------------------------------------------------------------------------- health

def test_health_reports_database_sender_and_backlog(client, sessions, clock, stub):
    post(client, text_update(101, "hallo", update_id=10))
    clock.advance(seconds=42)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": "ok", "sender": "alive",
        "outbox": {"pending": 1, "sending": 0, "failed": 0, "oldest_pending_seconds": 42.0}}
    stub.alive = False
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["sender"] == "not running"


def test_metrics_in_prometheus_format(client, sessions, clock, stub):
    post(client, text_update(101, "hallo", update_id=11))
    post(client, text_update(101, "hallo", update_id=11))
    post(client, text_update(202, "dag", update_id=12))
    with sessions.begin() as s:
        for resident in s.scalars(select(Resident)):
            state = "asking_date"
            s.add(Conversation(resident_id=resident.id, state=state, data={},
                               updated_at=clock()))
    stub.metrics.send_errors.inc(channel="telegram", kind="throttled")
    clock.advance(seconds=5)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = set(response.text.splitlines())
    assert {
        "# TYPE digicheque_messages_in_total counter",
        'digicheque_messages_in_total{channel="telegram"} 2',
        'digicheque_duplicates_in_total{channel="telegram"} 1',
        'digicheque_send_errors_total{channel="telegram",kind="throttled"} 1',
        "# TYPE digicheque_outbox_messages gauge",
        'digicheque_outbox_messages{status="pending"} 2',
        'digicheque_outbox_messages{status="failed"} 0',
        "digicheque_outbox_oldest_pending_seconds 5",
        'digicheque_conversations{state="asking_date"} 2',
        "digicheque_database_up 1",
        "digicheque_sender_up 1",
    } <= lines


# ---------------------------------------------------------------------------- end to end

def test_webhook_to_reply_over_real_http(sessions, engine, clock, echo_engine):
    """uvicorn + the real sender in one loop, as `digicheque run` has them."""
    with FakeTelegram() as fake:
        config = settings(api_base_url=fake.base_url)

        async def scenario() -> list[int]:
            async with make_bot(config.telegram) as bot:
                store = OutboxStore(sessions, clock, lease=timedelta(seconds=30))
                async with Sender(store, {"telegram": TelegramSender(bot)},
                                  {"telegram": LIMITS}, poll_interval=30) as sender:
                    echo_engine.delivery = sender
                    app = create_app(config, echo_engine.handle, sender, engine, clock=clock)
                    sock = free_socket()
                    server = uvicorn.Server(uvicorn_config(app))
                    serving = asyncio.create_task(server.serve(sockets=[sock]))
                    while not server.started:
                        await asyncio.sleep(0.01)
                    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram"
                    async with httpx.AsyncClient() as http:
                        updates = [text_update(500 + n, f"m{n}", update_id=100 + n)
                                   for n in range(20)]
                        statuses = await asyncio.gather(*[
                            http.post(url, json=u, headers={HEADER: SECRET})
                            for u in updates + updates[:5]])  # five delivered twice
                        refused = await http.post(url, json=text_update(999, "x", update_id=1),
                                                  headers={HEADER: "nope"})
                        health = await http.get(url.replace("/telegram", "/healthz"))
                    await fake.until(lambda: len(fake.delivered) == 20)
                    await asyncio.sleep(0.2)  # and nothing more arrives
                    server.should_exit = True
                    await serving
                    sock.close()
                    return [r.status_code for r in statuses] + [refused.status_code,
                                                                health.status_code]

        codes = asyncio.run(scenario())

    assert codes == [200] * 25 + [403, 200]
    assert sorted(r.chat_id for r in fake.delivered) == [str(500 + n) for n in range(20)]
    for n in range(20):
        assert fake.texts_to(str(500 + n)) == [f"echo: m{n}"]
    with sessions() as s:
        assert set(s.scalars(select(Outbox.status))) == {OutboxStatus.SENT}
    assert counts(sessions) == (20, 20, 20)
