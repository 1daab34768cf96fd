"""A fake Twilio REST server on loopback, and Twilio-style signed webhooks.

FakeTwilio is a real HTTP server (Starlette on uvicorn, in a background thread) that the
real twilio client talks to through `[twilio] api_base_url`. It implements
`POST /2010-04-01/Accounts/{sid}/Messages.json` with Basic auth; records every request
with the moment it arrived and its GSM-7 segment count; can be scripted to answer the
errors Twilio gives (429 / 20429, 500, 21610 unsubscribed, 21211 invalid number,
21614 not a mobile); can refuse more segments per second than a set limit, as a real
account does; and sends status callbacks signed as Twilio signs them.

`sign` and `post_signed` build webhooks exactly as Twilio does: HMAC-SHA1 over the public
URL plus the sorted form parameters, computed by the twilio package's RequestValidator.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from conversations.gsm7 import segments
from tests.auxil.fake_telegram import ServerThread, max_in_window

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token-not-real"
OUR_NUMBER = "+32460200300"
# Arrival times carry the network's jitter (the first request also opens a connection):
# the rate check forgives sends this much closer together than the rate allows.
JITTER = 0.1


@dataclass(frozen=True)
class SmsRecord:
    """One Messages.create request as the fake received it."""

    to: str
    body: str
    sender: str                 # From, or the Messaging Service SID
    status_callback: str | None
    at: float                   # time.monotonic() on arrival
    status: int                 # what the fake answered
    sid: str | None
    segments: int


@dataclass
class TwilioFailure:
    status: int
    code: int
    message: str


def sign(url: str, params: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a POST of `params` to the public `url`."""
    return str(RequestValidator(token).compute_signature(url, dict(params)))


def post_signed(public_url: str, params: Mapping[str, str], *, to: str | None = None,
                token: str = AUTH_TOKEN, signature: str | None = None) -> httpx.Response:
    """POST a form signed for `public_url` to `to` (the app's real address, e.g. behind a
    proxy), or to `public_url` itself."""
    sig = sign(public_url, params, token) if signature is None else signature
    headers = {"X-Twilio-Signature": sig} if sig else {}
    return httpx.post(to or public_url, data=dict(params), headers=headers, timeout=10)


def inbound_form(sender: str, body: str, sid: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an incoming SMS (the fields we use and a few more)."""
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": sender,
            "To": OUR_NUMBER, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "FromCountry": "BE", "ApiVersion": "2010-04-01", **extra}


class FakeTwilio:
    """The fake REST API. Use as a context manager; point the client at `base_url`."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN,
                 segments_per_second: float | None = None, latency: float = 0.0) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.latency = latency   # seconds before each answer (after recording it)
        self.segments_per_second = segments_per_second
        self._lock = threading.Lock()
        self.requests: list[SmsRecord] = []
        self._failures: deque[tuple[str | None, TwilioFailure]] = deque()
        self._sids = itertools.count(1)
        self._server = ServerThread(Starlette(routes=[
            Route("/2010-04-01/Accounts/{account}/Messages.json", self._create,
                  methods=["POST"])]))

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    @property
    def base_url(self) -> str:
        """What goes in [twilio] api_base_url."""
        return self._server.url

    # -------------------------------------------------------------- scripting

    def fail_next(self, status: int, code: int, message: str = "scripted failure", *,
                  to: str | None = None, times: int = 1) -> None:
        """The next `times` sends (to `to`, or to anyone) get this Twilio error."""
        with self._lock:
            for _ in range(times):
                self._failures.append((to, TwilioFailure(status, code, message)))

    def send_status(self, record: SmsRecord, status: str, *, error_code: str | None = None,
                    url: str | None = None) -> httpx.Response:
        """POST a signed status callback for a sent message, as Twilio does."""
        assert record.sid is not None and (url or record.status_callback)
        params = {"MessageSid": record.sid, "SmsSid": record.sid, "MessageStatus": status,
                  "SmsStatus": status, "AccountSid": self.account_sid, "To": record.to,
                  "From": OUR_NUMBER, "ApiVersion": "2010-04-01"}
        if error_code:
            params["ErrorCode"] = error_code
        target = url or record.status_callback or ""
        return post_signed(record.status_callback or target, params, to=target,
                           token=self.auth_token)

    # -------------------------------------------------------------- reading

    @property
    def delivered(self) -> list[SmsRecord]:
        with self._lock:
            return [r for r in self.requests if r.status == 201]

    def texts_to(self, number: str) -> list[str]:
        return [r.body for r in self.delivered if r.to == number]

    def max_segments_in(self, window: float = 1.0) -> int:
        """The most segments accepted within any span of `window` seconds."""
        moments = [r.at for r in self.delivered for _ in range(r.segments)]
        return max_in_window(moments, window)

    def refused(self, status: int) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.status == status)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.01)

    # -------------------------------------------------------------- the API

    def _authorised(self, request: Request, account: str) -> bool:
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return account == self.account_sid and request.headers.get("authorization") == expected

    def _over_rate(self, at: float, new_segments: int) -> bool:
        if self.segments_per_second is None:
            return False
        recent = sum(r.segments for r in self.requests
                     if r.status == 201 and at - r.at < 1.0 - JITTER)
        # One second's worth, plus one message's overshoot: a bucket that holds `rate`
        # tokens may start a message of several segments with the tokens it has.
        return recent + new_segments > self.segments_per_second + max(new_segments - 1, 0)

    async def _create(self, request: Request) -> Response:
        at = time.monotonic()
        account = request.path_params["account"]
        if not self._authorised(request, account):
            return _error(401, 20003, "Authenticate")
        params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        to, body = params.get("To", ""), params.get("Body", "")
        sender = params.get("From") or params.get("MessagingServiceSid") or ""
        count = segments(body)
        with self._lock:
            failure = self._take_failure(to)
            if failure is None and self._over_rate(at, count):
                failure = TwilioFailure(429, 20429, "Too Many Requests")
            if failure is not None:
                self.requests.append(SmsRecord(to, body, sender, params.get("StatusCallback"),
                                               at, failure.status, None, count))
                return _error(failure.status, failure.code, failure.message)
            sid = f"SM{next(self._sids):032x}"
            self.requests.append(SmsRecord(to, body, sender, params.get("StatusCallback"),
                                           at, 201, sid, count))
        if self.latency:
            await asyncio.sleep(self.latency)
        return JSONResponse(_message_json(sid, self.account_sid, to, sender, body, count),
                            status_code=201)

    def _take_failure(self, to: str) -> TwilioFailure | None:
        for i, (target, failure) in enumerate(self._failures):
            if target is None or target == to:
                del self._failures[i]
                return failure
        return None


def _message_json(sid: str, account: str, to: str, sender: str, body: str,
                  count: int) -> dict[str, Any]:
    return {"sid": sid, "account_sid": account, "to": to, "from": sender, "body": body,
            "status": "queued", "num_segments": str(count), "direction": "outbound-api",
            "api_version": "2010-04-01", "error_code": None, "error_message": None,
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"}


def _error(status: int, code: int, message: str) -> Response:
    return JSONResponse({"code": code, "message": message, "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                        status_code=status)

