"""The SMS adapter: Twilio webhooks read into messages, sends through the real twilio
client to a fake Twilio REST server, and Twilio's errors mapped to the sender's set."""

from __future__ import annotations

import asyncio

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.sms import (
    TwilioSender,
    Unreadable,
    form_to_incoming,
    make_client,
    parse_form,
    public_url,
    signature_ok,
    status_callback_url,
)
from bot.config import TwilioSettings
from bot.errors import SendOutcome, ThrottleScope, Unanswered
from conversations.incoming import Kind
from storage.models import Priority
from storage.outbox import OutboxMessage
from tests.auxil.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    FakeTwilio,
    inbound_form,
    sign,
)

ANN = "+32470111222"


def settings(fake: FakeTwilio | None = None, **overrides: object) -> TwilioSettings:
    values: dict[str, object] = {
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "from_number": OUR_NUMBER,
        "public_base_url": "https://bot.example.org/base",
        "api_base_url": fake.base_url if fake else ""}
    return TwilioSettings(**{**values, **overrides})  # type: ignore[arg-type]


def message(body: str = "Hallo", address: str = ANN) -> OutboxMessage:
    return OutboxMessage(id=1, channel="sms", address=address, body=body, choices=None,
                         priority=Priority.REPLY, attempts=0)


# ---------------------------------------------------------------------------- inbound

@pytest.mark.parametrize("label, form, expected", [
    ("text", inbound_form("+32470111222", "ABCD-EFGH-K", "SM1"),
     ("+32470111222", "SM1", "ABCD-EFGH-K", Kind.TEXT)),
    ("national number", inbound_form("0470 11 12 22", "hallo", "SM2"),
     ("+32470111222", "SM2", "hallo", Kind.TEXT)),
    ("picture without words", inbound_form(ANN, "", "MM3", NumMedia="1"),
     (ANN, "MM3", "", Kind.PHOTO)),
    ("picture with words", inbound_form(ANN, "mijn code", "MM4", NumMedia="1"),
     (ANN, "MM4", "mijn code", Kind.TEXT)),
    ("Twilio's STOP", inbound_form(ANN, "STOP", "SM5", OptOutType="STOP"),
     (ANN, "SM5", "STOP", Kind.OPT_OUT)),
    ("Twilio's START", inbound_form(ANN, "START", "SM6", OptOutType="START"),
     (ANN, "SM6", "START", Kind.TEXT)),
    ("empty", inbound_form(ANN, "", "SM7"), (ANN, "SM7", "", Kind.TEXT)),
])
def test_inbound_forms_become_messages(label, form, expected):
    msg = form_to_incoming(form, "BE")
    assert (msg.address, msg.provider_id, msg.text, msg.kind) == expected, label
    assert msg.channel == "sms"


@pytest.mark.parametrize("form", [
    {"From": ANN, "Body": "x"},                                  # no MessageSid
    inbound_form("not a number", "x", "SM1"),
    inbound_form(ANN, "x", "SM" + "9" * 80),                     # longer than the column
    {},
])
def test_forms_without_a_sender_or_id_are_unreadable(form):
    with pytest.raises(Unreadable):
        form_to_incoming(form, "BE")


def test_the_signed_url_is_rebuilt_from_the_public_base():
    assert public_url("https://bot.example.org/base/", "/twilio/sms", "a=1") == \
        "https://bot.example.org/base/twilio/sms?a=1"
    assert status_callback_url(settings()) == "https://bot.example.org/base/twilio/status"
    assert status_callback_url(settings(public_base_url="")) is None


def test_a_signature_is_checked_against_the_public_url():
    validator = RequestValidator(AUTH_TOKEN)
    form = inbound_form(ANN, "hallo", "SM1")
    url = "https://bot.example.org/base/twilio/sms"
    good = sign(url, form)
    assert signature_ok(validator, url, form, good)
    assert not signature_ok(validator, "http://127.0.0.1:8080/twilio/sms", form, good)
    assert not signature_ok(validator, url, {**form, "Body": "hallO"}, good)
    assert not signature_ok(validator, url, form, None)
    assert not signature_ok(validator, url, form, "")
    assert not signature_ok(RequestValidator("other"), url, form, good)


# ---------------------------------------------------------------------------- outbound

def _send(fake: FakeTwilio | None, msg: OutboxMessage, **overrides: object) -> str:
    async def go() -> str:
        sender = TwilioSender(make_client(settings(fake, **overrides)),
                              settings(fake, **overrides), "https://bot.example.org/st")
        try:
            return await sender.send(msg)
        finally:
            await sender.close()
    return asyncio.run(go())


def test_a_message_reaches_twilio_with_its_status_callback():
    with FakeTwilio() as fake:
        sid = _send(fake, message("Dank u, uw code is goed."))
        [record] = fake.delivered
    assert sid == record.sid and sid.startswith("SM")
    assert (record.to, record.body, record.sender) == (ANN, "Dank u, uw code is goed.",
                                                       OUR_NUMBER)
    assert record.status_callback == "https://bot.example.org/st"


def test_a_text_outside_the_sms_alphabet_goes_spelled_in_it_and_costs_its_gsm7_parts():
    """A broadcast's text as staff typed it ("hôtel", curly quotes) reaches Twilio in
    GSM-7: one 160-character part, not three of 70 (é stays: it is in the alphabet)."""
    typed = "L’hôtel de ville est fermé. " * 5          # 140 characters
    with FakeTwilio() as fake:
        _send(fake, message(typed))
        [record] = fake.delivered
    assert record.body == "L'hotel de ville est fermé. " * 5
    sender = TwilioSender(make_client(settings(None)), settings(None), None)
    assert sender.cost(message(typed)) == 1.0


def test_a_messaging_service_sends_instead_of_the_number():
    with FakeTwilio() as fake:
        _send(fake, message(), from_number="", messaging_service_sid="MG" + "1" * 32)
        [record] = fake.delivered
    assert record.sender == "MG" + "1" * 32


@pytest.mark.parametrize("status, code, outcome", [
    (429, 20429, SendOutcome.THROTTLED),
    (500, 20500, SendOutcome.TEMPORARY),
    (503, 20503, SendOutcome.TEMPORARY),
    (400, 21610, SendOutcome.RECIPIENT_GONE),
    (400, 21614, SendOutcome.RECIPIENT_GONE),
    (400, 21211, SendOutcome.PERMANENT),
    (400, 21602, SendOutcome.PERMANENT),     # message body required
])
def test_twilio_errors_map_to_the_senders_outcomes(status, code, outcome):
    with FakeTwilio() as fake:
        fake.fail_next(status, code)
        with pytest.raises(Exception) as caught:
            _send(fake, message())
    error = caught.value
    assert getattr(error, "outcome", None) == outcome, error
    assert ANN not in str(error) and AUTH_TOKEN not in str(error)
    if outcome is SendOutcome.THROTTLED:
        assert error.scope is ThrottleScope.CHANNEL and error.retry_after > 0


def test_an_unreachable_twilio_is_temporary():
    with FakeTwilio() as fake:
        dead = fake.base_url
    with pytest.raises(Exception) as caught:
        _send(None, message(), api_base_url=dead)
    assert getattr(caught.value, "outcome", None) == SendOutcome.TEMPORARY
    assert not isinstance(caught.value, Unanswered)   # nothing went out


def test_forms_are_parsed_with_every_value_kept_for_the_signature():
    form = parse_form(b"Body=caf%C3%A9+ok&To=%2B32&MediaUrl0=a&Body=again")
    assert form["Body"] == "café ok" and form.getall("Body") == ["café ok", "again"]
    assert parse_form(b"") == {}
    with pytest.raises(Unreadable):
        parse_form(b"\xff\xfe")
    with pytest.raises(Unreadable):
        parse_form(b"&".join(b"a%d=1" % i for i in range(500)))


def test_no_answer_in_time_is_unanswered():
    """A send whose answer is late may have reached Twilio: the sender counts a later copy."""
    async def go(fake: FakeTwilio) -> None:
        sender = TwilioSender(make_client(settings(fake), timeout=0.3), settings(fake), None)
        try:
            await sender.send(message())
        finally:
            await sender.close()

    with FakeTwilio(latency=1.0) as slow:
        with pytest.raises(Unanswered):
            asyncio.run(go(slow))
        assert len(slow.delivered) == 1       # it did arrive
