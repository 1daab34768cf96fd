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
- update_to_incoming is total over JSON: whatever the value, it returns an Incoming,
  None (an update type we do not handle) or raises UnreadableUpdate, never anything else.
  The skeleton must hold (an update_id, a message object with a chat object, a chat id,
  a chat type that is text; ids within signed 64 bits, as Telegram's are); an optional
  field of the wrong type (a sticker that is not an object, a caption that is not text)
  is read as absent, so a resident's message is not dropped for a detail. Telegram
  redelivers what is not acknowledged, so the webhook and the poller acknowledge and
  count an unreadable update instead of failing on it (G6).
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

from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram_http import SEND_READ_TIMEOUT, AiohttpRequest
from bot.config import TelegramSettings
from bot.failures import describe, transient
from bot.errors import (
    Permanent,
    RecipientGone,
    SendError,
    Temporary,
    Throttled,
    ThrottleScope,
    Unanswered,
)
from bot.metrics import Metrics
from bot.sender import RateLimits
from conversations.incoming import Incoming, Kind
from conversations.render import CONTACT_BUTTON
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "edited_message"]

# CONTEXT.md: ~30 messages/s per bot, 1/s per private chat with short bursts. The global
# bucket allows at most 4 + 24 = 28 in any second, below 30 with room for jitter; a chat
# gets a burst of 3 (a reply split in parts) and then one a second. Bulk leaves two
# global tokens to replies, so a reply never waits behind a broadcast; the burst is one
# above that reserve plus one, because with a burst of 3 bulk could only send from a full
# bucket and lost every late wake-up to overflow (93% of the rate, bench/broadcast.py).
# Into one group Telegram takes about 20 messages a minute: the staff group's bucket
# allows 5 + 60 / 4 = 20 in any minute (a busy hour of hand-offs waits, nothing is lost).
LIMITS = RateLimits(global_rate=24.0, global_burst=4.0, chat_rate=1.0, chat_burst=3.0,
                    reply_reserve=2.0, group_rate=0.25, group_burst=5.0)

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
# Telegram's ids are signed 64-bit integers (its Bot API docs: chat ids fit a "signed
# 64-bit integer"). Anything outside is not from Telegram, and would not fit our columns
# either: PostgreSQL refuses a 65-digit address (DataError), which is bad input, not an
# outage to answer with 503.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


class UnreadableUpdate(ValueError):
    """An update we cannot read. The message names what is wrong, never a value from it
    (no chat ids, no texts): it goes to the log."""

    def __init__(self, reason: str, update_id: int | None = None) -> None:
        super().__init__(reason)
        self.update_id = update_id


def telegram_id(value: object) -> int | None:
    """The value as a Telegram id, or None when it is not one (a bool is not an int here)."""
    if isinstance(value, int) and not isinstance(value, bool) and ID_MIN <= value <= ID_MAX:
        return value
    return None


def _object(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# What text a media message carries along.
_MEDIA_TEXT: Mapping[Kind, Callable[[Mapping[str, Any]], str]] = {
    Kind.STICKER: lambda m: _text(_object(m.get("sticker")).get("emoji")),
    Kind.PHOTO: lambda m: _text(m.get("caption")),
}


def _no_text(_message: Mapping[str, Any]) -> str:
    return ""


_GROUP_CHATS = {"group", "supergroup", "channel"}


def _language(message: Mapping[str, Any]) -> str | None:
    code = _object(message.get("from")).get("language_code")
    if not isinstance(code, str) or not code:
        return None
    return code.split("-")[0].lower()


def _classify(message: Mapping[str, Any], chat_type: str, edited: bool) -> tuple[Kind, str]:
    text = message.get("text")
    if chat_type in _GROUP_CHATS:
        return Kind.GROUP, _text(text)
    if edited:
        return Kind.EDITED, _text(text)
    if isinstance(text, str):
        return Kind.TEXT, _normalise_command(text)
    shared = _shared_number(message)
    if shared:   # "Deel mijn nummer" tapped: the number, as if typed
        return Kind.TEXT, shared
    for key, kind in _MEDIA_KINDS:
        if key in message:
            return kind, _MEDIA_TEXT.get(kind, _no_text)(message)
    return Kind.OTHER, ""


def _shared_number(message: Mapping[str, Any]) -> str:
    """The phone number of a shared contact (the contact button sends the resident's own
    account's), in international form: Telegram may leave out the "+"."""
    number = _text(_object(message.get("contact")).get("phone_number")).strip()[:32]
    return "+" + number if number.isdigit() else number


def _normalise_command(text: str) -> str:
    """'/start@digicheque_bot CODE' -> '/start CODE'; other text unchanged."""
    if text.startswith("/"):
        head, sep, rest = text.partition(" ")
        return head.split("@", 1)[0] + sep + rest
    return text


def read_update(body: bytes) -> Incoming | None:
    """A webhook body -> update_to_incoming; UnreadableUpdate for what is not JSON too
    (bad UTF-8, not JSON, or nested deeper than Python's JSON reader goes)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise UnreadableUpdate(f"not JSON ({exc.__class__.__name__})") from None
    return update_to_incoming(data)


def update_to_incoming(update: object) -> Incoming | None:
    """One Update (as JSON) -> one Incoming, or None for update types we do not handle.

    Raises UnreadableUpdate (a ValueError) for anything else, whatever JSON it is given.
    """
    if not isinstance(update, Mapping):
        raise UnreadableUpdate("not a JSON object")
    update_id = telegram_id(update.get("update_id"))
    if update_id is None:
        raise UnreadableUpdate("no update_id that is a 64-bit integer")
    for key, edited in (("message", False), ("edited_message", True)):
        message = update.get(key)
        if message is None:
            continue
        if not isinstance(message, Mapping):
            raise UnreadableUpdate(f"{key} is not an object", update_id)
        chat = message.get("chat")
        if not isinstance(chat, Mapping):
            raise UnreadableUpdate(f"{key} without a chat object", update_id)
        chat_id = telegram_id(chat.get("id"))
        if chat_id is None:
            raise UnreadableUpdate(f"{key}.chat.id is not a 64-bit integer", update_id)
        chat_type = chat.get("type", "private")
        if not isinstance(chat_type, str):
            raise UnreadableUpdate(f"{key}.chat.type is not text", update_id)
        kind, text = _classify(message, chat_type, edited)
        author = _object(message.get("from"))
        name = author.get("first_name")
        sender, reply_to = None, None
        if kind is Kind.GROUP:   # the staff group: who replied to which of our messages
            author_id = telegram_id(author.get("id"))
            replied = telegram_id(_object(message.get("reply_to_message")).get("message_id"))
            sender = str(author_id) if author_id is not None else None
            reply_to = str(replied) if replied is not None and not edited else None
        return Incoming(channel=CHANNEL, address=str(chat_id), provider_id=str(update_id),
                        text=text, kind=kind, language_hint=_language(message),
                        first_name=name[:64] if isinstance(name, str) and name else None,
                        sender_id=sender, reply_to=reply_to)
    return None


# ---------------------------------------------------------------------------- outbound

def keyboard(choices: list[str] | None) -> ReplyKeyboardMarkup | ReplyKeyboardRemove:
    """Choices as big reply buttons; no choices: take any old keyboard away.

    Long labels get a row each (readable, easy to hit); short ones go two a row, or three
    when there are many. A label marked CONTACT_BUTTON ("Deel mijn nummer") becomes a
    button that shares the resident's number (request_contact).
    """
    if not choices:
        return ReplyKeyboardRemove()
    buttons: list[str | KeyboardButton] = [
        KeyboardButton(label.removeprefix(CONTACT_BUTTON), request_contact=True)
        if label.startswith(CONTACT_BUTTON) else label for label in choices]
    labels = [label.removeprefix(CONTACT_BUTTON) for label in choices]
    if any(len(label) > LONG_LABEL for label in labels):
        per_row = 1
    else:
        per_row = 2 if len(choices) <= 4 else 3
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
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
    if isinstance(exc, TimedOut):
        return Unanswered(reason)  # sent, no answer in time: it may have arrived
    # NetworkError, and anything else (a revoked token, InvalidToken, is an operator's
    # problem, not the message's): try again later.
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
    overhead was most of the event loop's time under load. Long polling's getUpdates
    goes through it too (TelegramPoller._get_updates says why it is not get_updates).
    """
    # python-telegram-bot 22.2+ warns on every RetryAfter (and other time periods) unless
    # the program opts in to timedelta values, which v23 makes the only behaviour. We opt
    # in here, where a bot is built, not on import: a 429 is then not also a deprecation
    # warning (an error under pytest's warnings-as-errors).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # httpx logs each request's URL at INFO, and the Bot API URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    request = AiohttpRequest(connection_pool_size=pool_size, read_timeout=SEND_READ_TIMEOUT,
                          write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0)
    return Bot(settings.token, base_url=settings.api_base_url, request=request)


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


# Long polling: how long a getUpdates may take beyond the time Telegram holds it open.
POLL_READ_MARGIN = 10.0
# An update that meets a transient database error is tried again, waiting retry_delay,
# then twice as long each time up to max_retry_delay (30 s). After this many tries (91 s
# of waiting with the defaults) we ask whether the database answers at all: if it does,
# the error belongs to this update, which is given up and logged, so it does not hold up
# every later update; if not, the database is away and we keep waiting for it, as
# Telegram keeps updates for 24 hours.
RETRIES_BEFORE_CHECK = 8


class TelegramPoller:
    """Long polling with getUpdates, for when no public webhook URL is configured.

    Each update is handed to the engine (in a thread) and the offset moves past it only
    after the engine returned: Telegram forgets an update once a later getUpdates asks
    for a higher offset, so a crash in between means the update comes again, and the
    engine's inbound record makes that second delivery a no-op.

    Poison never stops polling (G6): an update we cannot read, or one whose handling
    fails for a reason of its own, is logged with its id (ERROR for a failure), counted
    (updates_skipped) and skipped. Only a transient database error holds the offset: the
    update is tried again with backoff (database_retries), see RETRIES_BEFORE_CHECK.
    `database_up` says whether the database answers a trivial query (blocking; run on the
    executor); without it, a transient error is never blamed on the update.
    """

    def __init__(self, bot: Bot, handle: Callable[[Incoming], bool], *,
                 metrics: Metrics | None = None,
                 poll_timeout: int = 30, retry_delay: float = 1.0,
                 max_retry_delay: float = 30.0, executor: Executor | None = None,
                 database_up: Callable[[], bool] | None = None,
                 retries_before_check: int = RETRIES_BEFORE_CHECK) -> None:
        self.bot = bot
        self.handle = handle
        self.metrics = metrics or Metrics()
        self.poll_timeout = poll_timeout
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.executor = executor
        self.database_up = database_up
        self.retries_before_check = retries_before_check
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
                updates = await self._retrying(self._get_updates)
                moved = False
                for update in updates:
                    await self._feed(update)
                    update_id = telegram_id(_object(update).get("update_id"))
                    if update_id is not None and (self.offset is None
                                                  or update_id >= self.offset):
                        self.offset, moved = update_id + 1, True
                if updates and not moved:
                    # Not one id to confirm: Telegram would answer the same batch at once.
                    log.warning("getUpdates gave %d updates without a usable update_id",
                                len(updates))
                    await self._sleep(self.max_retry_delay)
        except _Stopped:
            pass
        log.info("Telegram long polling stopped at offset %s", self.offset)

    async def _get_updates(self) -> list[Any]:
        """getUpdates as raw JSON, each update for update_to_incoming, as the webhook has it.

        Not bot.get_updates(): that turns the whole batch into telegram.Update objects and
        raises when one does not parse (logging the batch, message texts and all, at
        CRITICAL), so a single malformed update would stop polling at every restart.
        The Bot API's method names are case-insensitive: "getupdates" is getUpdates, and
        do_api_request only advises (with a warning) to use get_updates for "getUpdates".
        """
        try:
            result = await self.bot.do_api_request(
                "getupdates", api_kwargs={"offset": self.offset, "timeout": self.poll_timeout,
                                          "allowed_updates": ALLOWED_UPDATES},
                read_timeout=self.poll_timeout + POLL_READ_MARGIN)
        except EndPointNotFound as exc:
            # do_api_request's name for a 401/404 once the bot is initialised; getUpdates
            # exists, so it is the token that Telegram no longer takes.
            raise InvalidToken("Telegram refused the bot token on getUpdates") from exc
        if not isinstance(result, list):
            raise TelegramError("getUpdates answered something other than a list")
        return result

    async def _feed(self, update: Any) -> None:
        try:
            incoming = update_to_incoming(update)
        except UnreadableUpdate as exc:
            self.metrics.updates_skipped.inc(channel=CHANNEL, reason="unreadable")
            log.warning("skipping unreadable Telegram update %s: %s",
                        exc.update_id if exc.update_id is not None else "(no id)", exc)
            return
        if incoming is None:
            return
        loop = asyncio.get_running_loop()
        delay = self.retry_delay
        tries = 0
        while True:
            try:
                fresh = await loop.run_in_executor(self.executor, self.handle, incoming)
                break
            except Exception as exc:  # noqa: BLE001 - whatever it is, the update is judged
                tries += 1
                if not transient(exc):
                    self._give_up(incoming.provider_id, describe(exc))
                    return
                if tries >= self.retries_before_check and await self._database_answers():
                    self._give_up(incoming.provider_id, f"{describe(exc)} {tries} times "
                                  "while the database answers")
                    return
                self.metrics.database_retries.inc(channel=CHANNEL)
                log.warning("database unavailable (%s) for Telegram update %s; retrying in "
                            "%.0fs", describe(exc), incoming.provider_id, delay)
                await self._sleep(delay)
                delay = min(self.max_retry_delay, delay * 2)
        (self.metrics.messages_in if fresh else self.metrics.duplicates_in).inc(channel=CHANNEL)

    def _give_up(self, update_id: str, reason: str) -> None:
        self.metrics.updates_skipped.inc(channel=CHANNEL, reason="failed")
        log.error("Telegram update %s failed (%s) and is skipped; the resident got no "
                  "answer to it", update_id, reason)

    async def _database_answers(self) -> bool:
        if self.database_up is None:
            return False
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor,
                                                                    self.database_up)
        except Exception:  # noqa: BLE001 - a check that fails is a database that is away
            return False

    async def _retrying(self, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run a Bot API call until it works or we are stopped; a bad token is fatal (it
        ends polling with InvalidToken, and `digicheque run` with it)."""
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

