"""A crash while sending SMS (G1, G6): `digicheque run` killed with SIGKILL, restarted.

The same guarantee as tests/bot/test_crash.py for Telegram, through Twilio: every SMS
the webhook acknowledged (empty TwiML, after commit) is answered after the restart, and
no reply reaches a phone twice except one whose send was in flight at the kill (Twilio
had it, the outbox did not yet say so).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bot.sender import MAX_IN_FLIGHT
from tests.auxil.crash import Load, Process, unsent, wait
from tests.auxil.fake_telegram import free_socket
from tests.auxil.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OUR_NUMBER,
    FakeTwilio,
    inbound_form,
    sign,
)

PUBLIC = "https://sms.example.org"


def _text(http: httpx.Client, local: str, number: str, sid: str) -> int:
    form = inbound_form(number, "hallo", sid)
    return http.post(local, data=form,
                     headers={"X-Twilio-Signature": sign(PUBLIC + "/twilio/sms", form)}
                     ).status_code


@pytest.mark.slow
def test_sigkill_while_sending_sms_loses_nothing_acknowledged(db_url, sessions, tmp_path):
    port_sock = free_socket()
    port = port_sock.getsockname()[1]
    port_sock.close()
    local = f"http://127.0.0.1:{port}/twilio/sms"
    with FakeTwilio() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGICHEQUE_")}
        env.update({
            "DIGICHEQUE_DATABASE_URL": db_url,
            "DIGICHEQUE_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "DIGICHEQUE_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "DIGICHEQUE_TWILIO_FROM_NUMBER": OUR_NUMBER,
            "DIGICHEQUE_TWILIO_PUBLIC_BASE_URL": PUBLIC,
            "DIGICHEQUE_TWILIO_API_BASE_URL": fake.base_url,
            "DIGICHEQUE_TWILIO_SEND_RATE": "30",  # slower than the load: a backlog at the kill
            "DIGICHEQUE_SERVER_PORT": str(port),
            "PYTHONPATH": str(Path(__file__).parents[2]),
        })
        first = Process(env, tmp_path, port)
        with httpx.Client(timeout=5) as http:
            assert _text(http, local, "+32470000001", "SMref") == 200
        wait(lambda: fake.texts_to("+32470000001") != [])
        time.sleep(0.5)
        reference = fake.texts_to("+32470000001")

        def post(http: httpx.Client, worker: int, n: int) -> str | None:
            number = f"+3247{worker}{n:06d}"
            return number if _text(http, local, number, f"SM{worker}-{n}") == 200 else None

        load = Load(post)
        wait(lambda: len(load.acknowledged) >= 60 and len(fake.delivered) >= 20)
        first.kill()
        acknowledged = load.stop()
        got_before_kill = Counter((r.to, r.body) for r in fake.delivered)
        unrecorded = unsent(sessions)
        assert unrecorded, "the kill came too late to test anything"
        assert max(got_before_kill.values()) == 1
        in_flight = {reply for reply in got_before_kill if reply in unrecorded}

        second = Process(env, tmp_path, port)
        try:
            wait(lambda: all(sorted(set(fake.texts_to(n))) == sorted(set(reference))
                             for n in acknowledged), timeout=90)
            time.sleep(0.5)
        finally:
            logs = second.stop()

    for number in acknowledged:
        assert sorted(set(fake.texts_to(number))) == sorted(set(reference))
    seen = Counter((r.to, r.body) for r in fake.delivered)
    doubled = {reply for reply, times in seen.items() if times > 1}
    assert doubled <= in_flight, "an SMS went out twice that was not in flight at the kill"
    assert len(doubled) <= MAX_IN_FLIGHT, f"{len(doubled)} SMS went out twice"
    assert "Traceback" not in logs, logs
