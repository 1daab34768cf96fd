"""POST /twilio/sms and POST /twilio/status: signed, bounded, deduplicated, one transaction.

Requests are signed exactly as Twilio signs them (the twilio package's RequestValidator,
over the public URL), and posted to the app in front of the real conversation engine.
"""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import func, insert, select

from bot.config import CitySettings, Settings, TwilioSettings
from bot.server import create_app
from bot.wiring import conversation_engine
from storage.db import make_engine, make_sessionmaker
from storage.models import Inbound, Outbox, Resident
from tests.auxil.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, inbound_form, sign
from tests.bot.test_server import SenderStub

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

PUBLIC = "https://sms.example.org/digicheque"
INBOUND = PUBLIC + "/twilio/sms"
STATUS = PUBLIC + "/twilio/status"
ANN = "+32470111222"


def sms_settings(**overrides: object) -> Settings:
    twilio = TwilioSettings(**{"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                               "from_number": OUR_NUMBER, "public_base_url": PUBLIC,
                               **overrides})  # type: ignore[arg-type]
    return Settings(twilio=twilio, city=CitySettings())


@pytest.fixture
def stub():
    return SenderStub()


@pytest.fixture
def client(engine, sessions, clock, stub):
    settings = sms_settings()
    handle = conversation_engine(settings, sessions, clock).handle
    with TestClient(create_app(settings, handle, stub, engine, clock=clock)) as c:
        yield c


def post(client, path: str, form: dict[str, str], *, signed_for: str | None = None,
         signature: str | None = None):
    headers = {}
    if signature is None and signed_for is not None:
        signature = sign(signed_for, form)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(path, data=form, headers=headers)


def say(client, text: str, sid: str, sender: str = ANN, **extra: str):
    form = inbound_form(sender, text, sid, **extra)
    return post(client, "/twilio/sms", form, signed_for=INBOUND)


def replies(sessions, address: str = ANN) -> list[str]:
    with sessions() as s:
        return list(s.scalars(select(Outbox.body).where(Outbox.address == address)
                              .order_by(Outbox.id)))


def rows(sessions) -> tuple[int, int]:
    with sessions() as s:
        return (s.scalar(select(func.count()).select_from(Inbound)),
                s.scalar(select(func.count()).select_from(Resident)))


def metric(client, name: str, **labels: str) -> float:
    want = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return 0.0


def test_a_signed_sms_is_answered_through_the_outbox_after_commit(client, sessions):
    answer = say(client, "hallo", "SM0001", sender="0470 11 12 22")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response></Response>" in answer.text          # nothing inline
    [text] = replies(sessions)                               # stored under E.164
    assert "Stuur de code" in text
    assert rows(sessions) == (1, 1)
    assert metric(client, "digicheque_messages_in_total", channel="sms") == 1


@pytest.mark.parametrize("label, signature", [
    ("missing", None),
    ("empty", ""),
    ("wrong", "bm90IGEgc2lnbmF0dXJl"),
    ("for the app's own URL", sign("http://testserver/twilio/sms",
                                   inbound_form(ANN, "hallo", "SM0002"))),
    ("with another token", sign(INBOUND, inbound_form(ANN, "hallo", "SM0002"), "other")),
])
def test_an_unsigned_or_badly_signed_sms_is_refused_and_not_stored(client, sessions, label,
                                                                   signature):
    form = inbound_form(ANN, "hallo", "SM0002")
    answer = post(client, "/twilio/sms", form, signature=signature)
    assert answer.status_code == 403, label
    assert rows(sessions) == (0, 0)
    assert replies(sessions) == []
    assert metric(client, "digicheque_webhook_rejected_total", channel="sms",
                  reason="bad_signature") == 1


def test_a_changed_parameter_breaks_the_signature(client, sessions):
    form = inbound_form(ANN, "hallo", "SM0003")
    signature = sign(INBOUND, form)
    answer = post(client, "/twilio/sms", {**form, "Body": "ABCD-EFGH-K"}, signature=signature)
    assert answer.status_code == 403
    assert rows(sessions) == (0, 0)


def test_a_repeated_message_sid_gets_one_answer(client, sessions):
    assert say(client, "hallo", "SM0004").status_code == 200
    assert say(client, "hallo", "SM0004").status_code == 200
    assert len(replies(sessions)) == 1
    assert metric(client, "digicheque_duplicates_in_total", channel="sms") == 1


def test_a_body_beyond_the_limit_is_refused(client, sessions):
    answer = say(client, "x" * 40_000, "SM0005")
    assert answer.status_code == 413
    assert rows(sessions) == (0, 0)


def test_a_signed_form_without_a_sender_is_acknowledged_and_skipped(client, sessions):
    form = {"MessageSid": "SM0006", "AccountSid": ACCOUNT_SID, "Body": "hallo"}
    answer = post(client, "/twilio/sms", form, signed_for=INBOUND)
    assert answer.status_code == 200
    assert rows(sessions) == (0, 0)
    assert metric(client, "digicheque_updates_skipped_total", channel="sms",
                  reason="unreadable") == 1


def test_twilios_stop_opts_out_without_an_answer(client, sessions):
    say(client, "hallo", "SM0007")
    assert say(client, "STOP", "SM0008", OptOutType="STOP").status_code == 200
    assert len(replies(sessions)) == 1                       # only the answer to 'hallo'
    with sessions() as s:
        assert s.scalars(select(Resident.opted_out_at)).one() is not None
    say(client, "START", "SM0009", OptOutType="START")
    assert "Welkom terug" in replies(sessions)[-1]


def test_a_picture_without_words_gets_the_photo_answer(client, sessions):
    answer = say(client, "", "MM0010", NumMedia="1", MediaUrl0="https://example.org/x.jpg",
                 MediaContentType0="image/jpeg")
    assert answer.status_code == 200
    assert "foto" in replies(sessions)[0].lower()


def test_an_unreachable_database_answers_503_so_twilio_retries(engine, clock, stub, sessions):
    settings = sms_settings()
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    handle = conversation_engine(settings, make_sessionmaker(dead), clock).handle
    with TestClient(create_app(settings, handle, stub, engine, clock=clock)) as client:
        answer = say(client, "hallo", "SM0011")
        assert answer.status_code == 503
        assert metric(client, "digicheque_webhook_rejected_total", channel="sms",
                      reason="database_unavailable") == 1
    dead.dispose()
    assert rows(sessions) == (0, 0)


def test_without_a_twilio_section_there_is_no_sms_webhook(engine, sessions, clock, stub):
    handle = conversation_engine(Settings(), sessions, clock).handle
    with TestClient(create_app(Settings(), handle, stub, engine, clock=clock)) as client:
        answer = post(client, "/twilio/sms", inbound_form(ANN, "x", "SM1"), signed_for=INBOUND)
    assert answer.status_code == 404


# ---------------------------------------------------------------------------- status

def _sent_message(sessions, now, sid: str) -> None:
    with sessions.begin() as s:
        s.execute(insert(Outbox), [{"channel": "sms", "address": ANN, "body": "hallo",
                                    "status": "sent", "next_attempt_at": now,
                                    "created_at": now, "provider_message_id": sid}])


def _status(client, sid: str, status: str, signed: bool = True, **extra: str):
    form = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": ACCOUNT_SID, "To": ANN, "From": OUR_NUMBER, **extra}
    return post(client, "/twilio/status", form,
                signed_for=STATUS if signed else None)


def _delivery(sessions, sid: str) -> tuple[str | None, str | None]:
    with sessions() as s:
        row = s.execute(select(Outbox.delivery_status, Outbox.delivery_error)
                        .where(Outbox.provider_message_id == sid)).one()
        return row[0], row[1]


def test_status_callbacks_are_recorded_once_and_never_backwards(client, sessions, now):
    sid = "SM" + "a" * 32
    _sent_message(sessions, now, sid)
    for status in ("queued", "sent", "delivered", "sent", "delivered", "queued"):
        assert _status(client, sid, status).status_code == 200
    assert _delivery(sessions, sid) == ("delivered", None)
    assert metric(client, "digicheque_delivery_reports_total", channel="sms",
                  status="delivered") == 1
    assert metric(client, "digicheque_delivery_reports_total", channel="sms",
                  status="ignored") == 3


def test_an_undelivered_report_keeps_twilios_error_code(client, sessions, now):
    sid = "SM" + "b" * 32
    _sent_message(sessions, now, sid)
    _status(client, sid, "undelivered", ErrorCode="30003")
    assert _delivery(sessions, sid) == ("undelivered", "30003")


def test_an_unsigned_status_callback_changes_nothing(client, sessions, now):
    sid = "SM" + "c" * 32
    _sent_message(sessions, now, sid)
    assert _status(client, sid, "delivered", signed=False).status_code == 403
    assert _delivery(sessions, sid) == (None, None)
