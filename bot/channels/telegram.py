"""Telegram: Update JSON in, reply keyboards out, provider errors mapped, webhook or polling.

The adapter only translates (STYLE.md, courier): an Update becomes a neutral Incoming,
an outbox row becomes a sendMessage call, and every telegram.error becomes one of
bot.errors. It never retries and never decides what to say. Conversation state lives in
our database, so python-telegram-bot is used as a plain client (`telegram.Bot`), not
through Application/ConversationHandler.

Decisions worth knowing:
- An *edited* message becomes Kind.EDITED carrying the new text: the original was already
  answered, and re-running it through the conversation could repeat a step (a second
  booking); the engine answers OTHER kindly and repeats the question.
- A sticker carries its emoji as text (a 👍 sticker may well mean "yes"); a photo carries
  its caption (a resident may photograph the cheque and type the code under it).
- Any message from a group, supergroup or channel chat is Kind.GROUP: we talk privately.
- A structurally broken update (no update_id, no chat id) raises ValueError: the webhook
  answers 400. An update of a type we do not handle returns None: answered 200, ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import warnings
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram_http import AiohttpRequest
from bot.config import TelegramSettings
from bot.errors import Permanent, RecipientGone, SendError, Temporary, Throttled, ThrottleScope
from bot.metrics import Metrics
from bot.sender import RateLimits
from conversations.incoming import Incoming, Kind
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "edited_message"]

# CONTEXT.md: ~30 messages/s per bot, 1/s per private chat with short bursts. The global
# bucket allows at most 3 + 25 = 28 in any second, below 30 with room for jitter; a chat
# gets a burst of 3 (a reply split in parts) and then one a second. Bulk leaves two of
# the three global tokens to replies, so a reply never waits behind a broadcast.
LIMITS = RateLimits(global_rate=25.0, global_burst=3.0, chat_rate=1.0, chat_burst=3.0,
                    reply_reserve=2.0)

LONG_LABEL = 12  # characters: above this, one button per row


# ---------------------------------------------------------------------------- inbound

# Which message field means which kind; the first present wins (order matters: a voice
# note is not also an audio, a venue carries a location).
_MEDIA_KINDS: tuple[tuple[str, Kind], ...] = (
    ("sticker", Kind.STICKER),
    ("photo", Kind.PHOTO),
    ("voice", Kind.VOICE),
    ("audio", Kind.VOICE),
    ("video_note", Kind.VOICE),
    ("venue", Kind.LOCATION),
    ("location", Kind.LOCATION),
)
# What text a media message carries along.
_MEDIA_TEXT: Mapping[Kind, Callable[[dict[str, Any]], str]] = {
    Kind.STICKER: lambda m: str((m.get("sticker") or {}).get("emoji") or ""),
    Kind.PHOTO: lambda m: str(m.get("caption") or ""),
}


def _no_text(_message: dict[str, Any]) -> str:
    return ""


_GROUP_CHATS = {"group", "supergroup", "channel"}


def _language(message: Mapping[str, Any]) -> str | None:
    sender = message.get("from")
    code = sender.get("language_code") if isinstance(sender, Mapping) else None
    if not isinstance(code, str) or not code:
        return None
    return code.split("-")[0].lower()


def _classify(message: Mapping[str, Any], edited: bool) -> tuple[Kind, str]:
    chat = message["chat"]
    text = message.get("text")
    if chat.get("type") in _GROUP_CHATS:
        return Kind.GROUP, text if isinstance(text, str) else ""
    if edited:
        return Kind.EDITED, text if isinstance(text, str) else ""
    if isinstance(text, str):
        return Kind.TEXT, _normalise_command(text)
    for key, kind in _MEDIA_KINDS:
        if key in message:
            return kind, _MEDIA_TEXT.get(kind, _no_text)(dict(message))
    return Kind.OTHER, ""


def _normalise_command(text: str) -> str:
    """'/start@digicheque_bot CODE' -> '/start CODE'; other text unchanged."""
    if text.startswith("/"):
        head, sep, rest = text.partition(" ")
        return head.split("@", 1)[0] + sep + rest
    return text


def update_to_incoming(update: Mapping[str, Any]) -> Incoming | None:
    """One Update (as JSON) -> one Incoming, or None for update types we do not handle.

    Raises ValueError for an update that is not an Update at all.
    """
    update_id = update.get("update_id") if isinstance(update, Mapping) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise ValueError("not a Telegram update: no integer update_id")
    for key, edited in (("message", False), ("edited_message", True)):
        message = update.get(key)
        if message is None:
            continue
        chat = message.get("chat") if isinstance(message, Mapping) else None
        chat_id = chat.get("id") if isinstance(chat, Mapping) else None
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise ValueError(f"Telegram update {update_id}: {key} without a chat id")
        kind, text = _classify(message, edited)
        return Incoming(channel=CHANNEL, address=str(chat_id), provider_id=str(update_id),
                        text=text, kind=kind, language_hint=_language(message))
    return None


# ---------------------------------------------------------------------------- outbound

def keyboard(choices: list[str] | None) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """Choices as big reply buttons; no choices: take any old keyboard away.

    Long labels get a row each (readable, easy to hit); short ones go two a row, or three
    when there are many.
    """
    if not choices:
        return ReplyKeyboardRemove()
    if any(len(label) > LONG_LABEL for label in choices):
        per_row = 1
    else:
        per_row = 2 if len(choices) <= 4 else 3
    rows = [choices[i:i + per_row] for i in range(0, len(choices), per_row)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def _retry_seconds(exc: RetryAfter) -> float:
    # python-telegram-bot 22 warns when retry_after is read as a number; read either form.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def map_error(exc: TelegramError) -> SendError:
    """python-telegram-bot's errors -> our closed set.

    Order matters: BadRequest and TimedOut are subclasses of NetworkError, and the
    library raises a plain NetworkError for 5xx answers.
    """
    reason = f"telegram {exc.__class__.__name__}: {exc.message}"
    if isinstance(exc, RetryAfter):
        # Telegram does not say whether a 429 is about the chat or the bot; a private
        # chat's 1/s limit is what we hit in practice, so the chat waits.
        return Throttled(reason, _retry_seconds(exc), ThrottleScope.CHAT)
    if isinstance(exc, Forbidden):
        return RecipientGone(reason)
    if isinstance(exc, (BadRequest, ChatMigrated)):
        return Permanent(reason)
    if isinstance(exc, (TimedOut, NetworkError)):
        return Temporary(reason)
    if isinstance(exc, InvalidToken):
        return Temporary(reason)  # revoked token: an operator problem, not the message's
    return Temporary(reason)


class TelegramSender:
    """The Telegram ChannelSender: one outbox row -> one sendMessage."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: OutboxMessage) -> str:
        try:
            sent = await self.bot.send_message(chat_id=message.address, text=message.body,
                                               reply_markup=keyboard(message.choices))
        except TelegramError as exc:
            raise map_error(exc) from exc
        return str(sent.message_id)


def make_bot(settings: TelegramSettings, *, pool_size: int = 32) -> Bot:
    """A Bot on the configured Bot API base URL (a fake one in tests).

    Sends go through AiohttpRequest (bot.channels.telegram_http): httpx's per-request
    overhead was most of the event loop's time under load. Long polling keeps httpx.
    """
    # python-telegram-bot 22.2+ warns on every RetryAfter (and other time periods) unless
    # the program opts in to timedelta values, which v23 makes the only behaviour. We opt
    # in here, where a bot is built, not on import: a 429 is then not also a deprecation
    # warning (an error under pytest's warnings-as-errors).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs each request's URL at INFO, and the Bot API URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    request = AiohttpRequest(connection_pool_size=pool_size, read_timeout=10.0,
                          write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0)
    polling = HTTPXRequest(connection_pool_size=1, read_timeout=10.0, write_timeout=10.0,
                           connect_timeout=5.0, pool_timeout=5.0)
    return Bot(settings.token, base_url=settings.api_base_url, request=request,
               get_updates_request=polling)


async def register_webhook(bot: Bot, url: str, secret_token: str) -> None:
    """Tell Telegram where to POST updates, with the secret it must send along (G9)."""
    if not secret_token:
        raise ValueError("a Telegram webhook needs [telegram] secret_token "
                         "(DIGICHEQUE_TELEGRAM_SECRET_TOKEN)")
    await bot.set_webhook(url=url, secret_token=secret_token,
                          allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    log.info("Telegram webhook registered at %s", url)


# ---------------------------------------------------------------------------- polling

class _Stopped(Exception):
    pass


class TelegramPoller:
    """Long polling with getUpdates, for when no public webhook URL is configured.

    Each update is handed to the engine (in a thread) and the offset moves past it only
    after the engine returned: Telegram forgets an update once a later getUpdates asks
    for a higher offset, so a crash in between means the update comes again, and the
    engine's inbound record makes that second delivery a no-op.
    """

    def __init__(self, bot: Bot, handle: Callable[[Incoming], bool], *,
                 metrics: Metrics | None = None,
                 poll_timeout: int = 30, retry_delay: float = 1.0,
                 max_retry_delay: float = 30.0, executor: Executor | None = None) -> None:
        self.bot = bot
        self.handle = handle
        self.metrics = metrics or Metrics()
        self.poll_timeout = poll_timeout
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.executor = executor
        self.offset: int | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Stop after the update in hand (an open getUpdates is abandoned)."""
        self._stop.set()

    async def run(self) -> None:
        try:
            await self._retrying(lambda: self.bot.delete_webhook(drop_pending_updates=False))
            log.info("Telegram long polling started")
            while not self._stop.is_set():
                updates = await self._retrying(lambda: self.bot.get_updates(
                    offset=self.offset, timeout=self.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES))
                for update in updates:
                    await self._feed(update.update_id, json.loads(update.to_json()))
                    self.offset = update.update_id + 1
        except _Stopped:
            pass
        log.info("Telegram long polling stopped at offset %s", self.offset)

    async def _feed(self, update_id: int, data: dict[str, Any]) -> None:
        try:
            incoming = update_to_incoming(data)
        except ValueError as exc:
            log.warning("skipping Telegram update %s: %s", update_id, exc)
            return
        if incoming is None:
            return
        delay = self.retry_delay
        while True:
            try:
                fresh = await asyncio.get_running_loop().run_in_executor(
                    self.executor, self.handle, incoming)
                break
            except DBAPIError as exc:
                log.warning("database unavailable (%s) for Telegram update %s; retrying in "
                            "%.0fs", exc.__class__.__name__, update_id, delay)
                await self._sleep(delay)
                delay = min(self.max_retry_delay, delay * 2)
        (self.metrics.messages_in if fresh else self.metrics.duplicates_in).inc(channel=CHANNEL)

    async def _retrying(self, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run a Bot API call until it works or we are stopped; a bad token is fatal."""
        delay = self.retry_delay
        while True:
            try:
                return await self._unless_stopped(call())
            except InvalidToken:
                raise
            except TelegramError as exc:
                log.warning("Telegram %s; retrying in %.0fs", exc.__class__.__name__, delay)
                await self._sleep(delay)
                delay = min(self.max_retry_delay, delay * 2)

    async def _unless_stopped(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._stop.is_set():
            coro.close()
            raise _Stopped
        call = asyncio.ensure_future(coro)
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({call, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            await asyncio.gather(stopper, return_exceptions=True)
        if not call.done():
            call.cancel()
            await asyncio.gather(call, return_exceptions=True)
            raise _Stopped
        return call.result()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            return
        raise _Stopped

