"""A crash under load (G1, G6): `digicheque run` killed with SIGKILL, then restarted.

Every update the webhook acknowledged before the kill must be answered after the
restart, and no reply may reach the resident twice, except a message whose send was in
flight at the very moment of the kill: nothing can tell whether Telegram got it, and the
sender delivers at least once rather than lose a reply. The test checks that exception
precisely: a reply seen twice must be one that Telegram had received before the kill
while the outbox did not yet say it was sent; and their number is bounded by the sends
the sender keeps in flight (RELIABILITY.md has the counts measured with this test).
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
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update

SECRET = "crash-secret-0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.mark.slow
def test_sigkill_under_load_loses_nothing_and_doubles_nothing(db_url, sessions, tmp_path):
    port_sock = free_socket()
    port = port_sock.getsockname()[1]
    port_sock.close()
    url = f"http://127.0.0.1:{port}/telegram"
    with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGICHEQUE_")}
        env.update({
            "DIGICHEQUE_DATABASE_URL": db_url,
            "DIGICHEQUE_TELEGRAM_TOKEN": TOKEN,
            "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": SECRET,
            "DIGICHEQUE_TELEGRAM_API_BASE_URL": fake.base_url,
            "DIGICHEQUE_SERVER_PORT": str(port),
            "PYTHONPATH": str(Path(__file__).parents[2]),
        })
        first = Process(env, tmp_path, port)

        # What one "/start" of a new resident gets, to compare every chat against.
        assert httpx.post(url, headers={HEADER: SECRET},
                          json=text_update(1, "/start", update_id=1)).status_code == 200
        wait(lambda: fake.texts_to("1") != [])
        time.sleep(0.5)
        reference = fake.texts_to("1")

        def post(http: httpx.Client, worker: int, n: int) -> str | None:
            chat = 100_000 + worker * 10_000 + n
            answer = http.post(url, headers={HEADER: SECRET},
                               json=text_update(chat, "/start", update_id=chat))
            return str(chat) if answer.status_code == 200 else None

        load = Load(post)
        wait(lambda: len(load.acknowledged) >= 60 and len(fake.delivered) >= 20)
        first.kill()
        acknowledged = load.stop()
        got_before_kill = Counter((r.chat_id, r.text) for r in fake.delivered)
        unrecorded = unsent(sessions)
        assert unrecorded, "the kill came too late to test anything"
        assert max(got_before_kill.values()) == 1
        # The at-least-once window: Telegram had it, the database did not know yet.
        in_flight = {reply for reply in got_before_kill if reply in unrecorded}

        second = Process(env, tmp_path, port)
        try:
            wait(lambda: all(len(set(fake.texts_to(c))) == len(set(reference))
                             for c in acknowledged), timeout=90)
            time.sleep(0.5)
        finally:
            logs = second.stop()

    for chat in acknowledged:
        assert sorted(set(fake.texts_to(chat))) == sorted(set(reference))
    seen = Counter((r.chat_id, r.text) for r in fake.delivered)
    doubled = {reply for reply, times in seen.items() if times > 1}
    assert doubled <= in_flight, "a reply went out twice that was not in flight at the kill"
    # At most the sends started and not yet recorded as sent: the sender starts no more
    # than MAX_IN_FLIGHT at once per channel, and records each within moments.
    assert len(doubled) <= MAX_IN_FLIGHT, f"{len(doubled)} replies went out twice"
    assert "Traceback" not in logs, logs
