"""No secrets and no residents' words in the logs, at every level (G9, bot/logs.py).

The leaks are real ones: a python-telegram-bot Bot talks to the fake Bot API at DEBUG,
and `digicheque run` runs as a process with [logging] level = "DEBUG".
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram import make_bot, register_webhook
from bot.config import DatabaseSettings, LoggingSettings, Settings, TelegramSettings, \
    TwilioSettings
from bot.logs import QUIET, REDACTED, TELEGRAM_CALLS, configure_logging, scrub_secrets
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, text_update
from tests.auxil.process import free_port, run_env, start_run, wait_until

SECRET = "webhook-secret-0123456789abcdef"
TOKEN_SECRET_PART = TOKEN.split(":")[1]  # the part before ':' is the bot's public id
STREET = "Kerkstraat 12"
ROOT = Path(__file__).parents[2]


@pytest.fixture
def logging_state():
    """Each test starts from the libraries' own log levels and the plain record factory,
    and leaves the process as it found it (configure_logging changes both)."""
    names = (*QUIET, TELEGRAM_CALLS, "httpcore")
    levels = {name: logging.getLogger(name).level for name in names}
    factory = logging.getLogRecordFactory()
    for name in names:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


def settings_for(fake: FakeTelegram, *, message_bodies: bool) -> Settings:
    return Settings(telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                              api_base_url=fake.base_url),
                    logging=LoggingSettings(level="DEBUG", message_bodies=message_bodies))


def talk_to_telegram(settings: Settings, *, httpx_debug: bool = False) -> None:
    """What `run` does with a bot: getMe, setWebhook with the secret, a reply, a poll."""
    async def scenario() -> None:
        bot = make_bot(settings.telegram)
        if httpx_debug:  # an operator turned httpx on: scrubbed all the same
            logging.getLogger("httpx").setLevel(logging.DEBUG)
        async with bot:
            await register_webhook(bot, "https://bot.example.org/telegram", SECRET)
            await bot.send_message(chat_id="424242001", text=f"Wij komen naar {STREET}.")
            await bot.get_updates(timeout=0)

    asyncio.run(scenario())


def everything_logged(caplog, capfd) -> str:
    out, err = capfd.readouterr()
    return "\n".join([caplog.text, *(r.getMessage() for r in caplog.records), out, err])


def test_at_debug_with_message_bodies_no_token_or_secret_is_logged(fake, caplog, capfd,
                                                                    logging_state):
    settings = settings_for(fake, message_bodies=True)
    configure_logging(settings)
    caplog.set_level(logging.DEBUG)
    talk_to_telegram(settings, httpx_debug=True)
    logged = everything_logged(caplog, capfd)
    assert TOKEN_SECRET_PART not in logged
    assert SECRET not in logged
    # The lines were there, scrubbed: the Bot API URL (python-telegram-bot, httpx) and
    # setWebhook's parameters; the message text too, as opted in.
    assert f"/bot{REDACTED}/getUpdates" in logged
    assert f"'secret_token': '{REDACTED}'" in logged
    assert STREET in logged


def test_at_debug_message_bodies_stay_out_by_default(fake, caplog, capfd, logging_state):
    settings = settings_for(fake, message_bodies=False)
    configure_logging(settings)
    caplog.set_level(logging.DEBUG)
    talk_to_telegram(settings, httpx_debug=True)
    logged = everything_logged(caplog, capfd)
    assert TOKEN_SECRET_PART not in logged and SECRET not in logged
    assert STREET not in logged
    assert any(r.name.startswith("httpx") for r in caplog.records)  # DEBUG was on


def test_a_bot_silences_httpx_at_info_wherever_it_is_built(fake, caplog, capfd,
                                                           logging_state):
    """No configure_logging here: a benchmark or a test builds bots without `run`."""
    caplog.set_level(logging.INFO)
    talk_to_telegram(Settings(telegram=TelegramSettings(token=TOKEN,
                                                        api_base_url=fake.base_url)))
    logged = everything_logged(caplog, capfd)
    assert TOKEN_SECRET_PART not in logged
    assert not [r for r in caplog.records if r.name.startswith("httpx")]


def test_every_secret_setting_and_the_database_password_are_scrubbed(caplog, logging_state):
    settings = Settings(
        database=DatabaseSettings(url="postgresql+psycopg://bot:db-pass-42@db.example/bot"),
        telegram=TelegramSettings(token=TOKEN, secret_token=SECRET),
        twilio=TwilioSettings(account_sid="AC123", auth_token="twilio-auth-token-99"))
    configure_logging(settings)
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("digicheque.test")
    log.info("token %s, secret %s", TOKEN, SECRET)
    log.warning("twilio %s and the url %s", "twilio-auth-token-99", settings.database.url)
    log.error("split over args: %s%s", SECRET[:10], SECRET[10:])
    log.debug("url-encoded: %s", "https://x.example/?t=123456%3ATEST-token-not-real")
    logged = caplog.text
    for secret in (TOKEN_SECRET_PART, SECRET, "twilio-auth-token-99", "db-pass-42"):
        assert secret not in logged
    assert logged.count(REDACTED) == 6
    assert "postgresql+psycopg://bot:[redacted]@db.example/bot" in logged


def test_a_traceback_is_scrubbed_too(caplog, logging_state):
    scrub_secrets([SECRET])
    caplog.set_level(logging.INFO)
    try:
        raise RuntimeError(f"Bot API said no to {SECRET}")
    except RuntimeError:
        logging.getLogger("digicheque.test").exception("it failed")
    assert "Traceback" in caplog.text and "RuntimeError: Bot API said no to" in caplog.text
    assert SECRET not in caplog.text


def test_importing_the_telegram_channel_leaves_the_environment_alone():
    script = ("import os; before = dict(os.environ); import bot.channels.telegram; "
              "changed = sorted(set(os.environ.items()) ^ set(before.items())); "
              "print(changed); raise SystemExit(1 if changed else 0)")
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    result = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_built_bot_reads_telegrams_periods_without_deprecation_warnings():
    script = ("from datetime import timedelta; from telegram.error import RetryAfter; "
              "from bot.channels.telegram import make_bot; "
              "from bot.config import TelegramSettings; "
              "make_bot(TelegramSettings(token='1:x')); "
              "assert RetryAfter(5).retry_after == timedelta(seconds=5)")
    env = {k: v for k, v in os.environ.items() if k != "PTB_TIMEDELTA"}
    result = subprocess.run([sys.executable, "-W", "error", "-c", script], env=env, cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("message_bodies", [False, True])
def test_digicheque_run_at_debug_logs_no_token_or_secret(tmp_path, message_bodies):
    """The real process: webhook registered with the secret, a resident's message
    answered, SIGTERM. Its whole stderr is searched."""
    port = free_port()
    with FakeTelegram() as fake:
        env = run_env(tmp_path, fake, port, SECRET,
                      DIGICHEQUE_TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram",
                      DIGICHEQUE_LOGGING_LEVEL="DEBUG",
                      DIGICHEQUE_LOGGING_MESSAGE_BODIES=str(message_bodies).lower())
        process = start_run(tmp_path, env)
        try:
            wait_until(lambda: fake.webhook is not None or process.poll() is not None)
            assert process.poll() is None
            answer = httpx.post(f"http://127.0.0.1:{port}/telegram",
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                                json=text_update(424242001, "hallo", update_id=7))
            assert answer.status_code == 200
            wait_until(lambda: fake.texts_to("424242001") != [])
            process.send_signal(signal.SIGTERM)
            _, logs = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, logs
    assert fake.webhook is not None and fake.webhook["secret_token"] == SECRET
    assert " DEBUG " in logs  # the level took effect
    assert TOKEN_SECRET_PART not in logs and SECRET not in logs
    reply = fake.texts_to("424242001")[0].splitlines()[0]
    assert (reply in logs) is message_bodies
    assert ("424242001" in logs) is message_bodies  # the full chat id is in the calls
