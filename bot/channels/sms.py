"""SMS through Twilio: the adapter (verify, translate, send, map errors) and nothing more.

Inbound: Twilio POSTs a form to our webhook, signed with X-Twilio-Signature, an
HMAC-SHA1 over the *public* URL it called plus the sorted form parameters. Behind a
reverse proxy the URL the app sees is not that one, so it is rebuilt from the configured
public base URL and the request's path and query (`public_url`). The twilio package's
own RequestValidator checks it (constant-time compare).

Outbound: the twilio client's async API on an aiohttp transport of ours
(bot/channels/twilio_http.py), so a send never blocks the event loop that also serves
the webhooks. Every Twilio failure becomes one
of bot.errors' four outcomes; the sender alone decides what follows (STYLE.md):
- 429 (too many requests, error 20429): THROTTLED for the whole channel;
- 5xx, timeouts, connection failures: TEMPORARY;
- 21610 (the number replied STOP to us), 21614 (not a mobile number), 21612 (cannot
  route to this number): RECIPIENT_GONE, the resident cannot be reached by SMS;
- 21211 (invalid 'To' number) and any other 4xx: PERMANENT for this message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.twilio_http import AiohttpTwilioClient
from bot.config import TwilioSettings
from bot.sender import RateLimits
from bot.errors import (
    Permanent,
    RecipientGone,
    SendError,
    Temporary,
    Throttled,
    ThrottleScope,
    Unanswered,
)
from conversations.gsm7 import segments, to_gsm7
from conversations.incoming import Incoming, Kind
from conversations.phone import read_phone
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)

CHANNEL = "sms"
INBOUND_PATH = "/twilio/sms"
STATUS_PATH = "/twilio/status"
SIGNATURE_HEADER = "x-twilio-signature"
MAX_BODY = 32 * 1024   # a 1,600-character SMS and Twilio's other fields take a few kB

# Twilio error codes (https://www.twilio.com/docs/api/errors).
UNSUBSCRIBED = 21610          # the recipient replied STOP: Twilio refuses every send
NOT_A_MOBILE = 21614          # 'To' is not a valid mobile number
CANNOT_ROUTE = 21612          # Twilio cannot route to this number
INVALID_NUMBER = 21211        # 'To' is not a valid phone number
_GONE = {UNSUBSCRIBED: "unsubscribed", NOT_A_MOBILE: "not a mobile number",
         CANNOT_ROUTE: "cannot route to this number"}
THROTTLE_WAIT = 1.0           # Twilio's 429 carries no Retry-After: back off a second

# Twilio's own keyword handling marks a message with OptOutType; a STOP has already
# blocked further SMS to the number, so we must not answer it (any send gets 21610).
_OPT_OUT_TYPES = {"STOP": Kind.OPT_OUT}


class Unreadable(ValueError):
    """A webhook form we cannot turn into a message (no sender, no id)."""


# ---------------------------------------------------------------------------- inbound

class Form(dict[str, str]):
    """A webhook's form fields: the first value of each name, and all of them for the
    signature (RequestValidator reads `getall`, as on Flask's MultiDict)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self._all: dict[str, list[str]] = {}
        for name, value in pairs:
            self._all.setdefault(name, []).append(value)
            self.setdefault(name, value)

    def getall(self, name: str) -> list[str]:
        return self._all[name]


def parse_form(body: bytes) -> Form:
    """An application/x-www-form-urlencoded body (what Twilio posts); Unreadable if not."""
    try:
        text = body.decode("utf-8")
        return Form(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                              max_num_fields=200))
    except ValueError as exc:  # bad UTF-8, bad encoding, too many fields
        raise Unreadable(f"not a form: {type(exc).__name__}") from None


def public_url(base_url: str, path: str, query: str) -> str:
    """The URL Twilio signed: the configured public base, then our path and query."""
    url = base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def signature_ok(validator: RequestValidator, url: str, form: Any,
                 signature: str | None) -> bool:
    """Twilio's own check of X-Twilio-Signature (form: a dict or a multi-dict)."""
    if not signature:
        return False
    try:
        return bool(validator.validate(url, form, signature))
    except (TypeError, ValueError, UnicodeError):
        return False


def form_to_incoming(form: Mapping[str, str], region: str) -> Incoming:
    """An inbound SMS (or MMS) webhook as the engine's neutral message.

    Raises Unreadable when the form lacks what every Twilio message has.
    """
    sid = message_sid(form)
    sender = form.get("From") or ""
    if not sid or len(sid) > 64:
        raise Unreadable("no MessageSid")
    address = read_phone(sender, region)
    if address is None:
        raise Unreadable("no readable From number")
    text = form.get("Body") or ""
    kind = _OPT_OUT_TYPES.get((form.get("OptOutType") or "").upper(), Kind.TEXT)
    if kind is Kind.TEXT and not text.strip() and _media_count(form) > 0:
        kind = Kind.PHOTO   # an MMS picture without words: the same answer as a photo
    return Incoming(channel=CHANNEL, address=address, provider_id=sid, text=text, kind=kind)


def message_sid(form: Mapping[str, str]) -> str:
    """Twilio's id of the message a webhook is about (SmsSid is its older name)."""
    return form.get("MessageSid") or form.get("SmsSid") or ""


def _media_count(form: Mapping[str, str]) -> int:
    value = form.get("NumMedia") or "0"
    return int(value) if value.isdigit() else 0


# ---------------------------------------------------------------------------- outbound

def map_error(exc: TwilioRestException) -> SendError:
    """Twilio's REST failure as one of the sender's four outcomes."""
    code = exc.code if isinstance(exc.code, int) else None
    status = exc.status if isinstance(exc.status, int) else 0
    label = f"twilio {status}" + (f" error {code}" if code is not None else "")
    if status == 429 or code == 20429:
        return Throttled(label, THROTTLE_WAIT, ThrottleScope.CHANNEL)
    if code in _GONE:
        return RecipientGone(f"{label}: {_GONE[code]}")
    if status >= 500 or status == 0:
        return Temporary(label)
    if code == INVALID_NUMBER:
        return Permanent(f"{label}: invalid number")
    return Permanent(label)


class TwilioSender:
    """The SMS channel's way out: one Messages.create per outbox message."""

    def __init__(self, client: Client, settings: TwilioSettings,
                 status_callback: str | None) -> None:
        self.client = client
        self.sender: dict[str, str] = (
            {"messaging_service_sid": settings.messaging_service_sid}
            if settings.messaging_service_sid else {"from_": settings.from_number})
        self.status_callback = status_callback

    def cost(self, message: OutboxMessage) -> float:
        """Twilio's rate is in segments: a two-part message takes two seconds at 1/s."""
        return float(segments(to_gsm7(message.body)))

    async def send(self, message: OutboxMessage) -> str:
        extra: dict[str, Any] = dict(self.sender)
        if self.status_callback:
            extra["status_callback"] = self.status_callback
        try:
            # Every SMS goes in the GSM-7 alphabet (CONTEXT.md: one other character makes
            # every part 70 characters). Replies are rendered so already; a broadcast's
            # text, as staff typed it, is spelled so here, as its preview showed.
            created = await self.client.messages.create_async(
                to=message.address, body=to_gsm7(message.body), **extra)
        except TwilioRestException as exc:
            raise map_error(exc) from None
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            raise Temporary(f"twilio unreachable: {type(exc).__name__}") from None
        except TimeoutError:
            # The request went out and no answer came: Twilio may have queued the SMS.
            # It has no idempotency key either; the sender counts a later copy.
            raise Unanswered("twilio: no answer in time") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise Temporary(f"twilio unreachable: {type(exc).__name__}") from None
        return str(created.sid)

    async def close(self) -> None:
        http = self.client.http_client
        if isinstance(http, AiohttpTwilioClient):
            await http.close()


def make_client(settings: TwilioSettings, timeout: float = 30.0) -> Client:
    """A twilio Client on our aiohttp transport, pointed at `api_base_url` if set.

    No retries of its own: the sender retries, within the provider's limits.
    """
    client = Client(settings.account_sid, settings.auth_token,
                    http_client=AiohttpTwilioClient(timeout=timeout))
    if settings.api_base_url:
        client.api.base_url = settings.api_base_url.rstrip("/")
    return client


def status_callback_url(settings: TwilioSettings) -> str | None:
    return public_url(settings.public_base_url, STATUS_PATH, "") \
        if settings.public_base_url else None


def limits(settings: TwilioSettings) -> RateLimits:
    """`send_rate` segments a second for the number, with no burst: Twilio queues what
    comes faster and sends it late, which a resident waiting for an answer notices."""
    rate = settings.send_rate
    return RateLimits(global_rate=rate, global_burst=1.0, chat_rate=rate, chat_burst=1.0)


def sms_sender(settings: TwilioSettings) -> TwilioSender:
    return TwilioSender(make_client(settings), settings, status_callback_url(settings))


def missing_settings(settings: TwilioSettings) -> list[str]:
    """The [twilio] keys still needed once any is set (none when SMS is off or complete)."""
    given = [settings.account_sid, settings.auth_token, settings.from_number,
             settings.messaging_service_sid, settings.public_base_url]
    if not any(given):
        return []
    missing = [name for name, value in (("account_sid", settings.account_sid),
                                        ("auth_token", settings.auth_token),
                                        ("public_base_url", settings.public_base_url))
               if not value]
    if not (settings.from_number or settings.messaging_service_sid):
        missing.append("from_number or messaging_service_sid")
    return missing
