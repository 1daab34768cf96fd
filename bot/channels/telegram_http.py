"""python-telegram-bot's HTTP layer on aiohttp, for the outbox sender's sends.

Profiling the webhook benchmark showed the event loop spending about three quarters of
its time in httpx/httpcore/anyio per sendMessage (connection-pool bookkeeping that polls
every pooled socket on each request, cancel scopes, locks), more than in our own work.
aiohttp, already installed for twilio's async client, does the same job at a fraction
of that cost. python-telegram-bot still builds each request and reads each answer, so
its error mapping (RetryAfter, Forbidden, BadRequest, ...) and ours
(bot.channels.telegram.map_error) are unchanged: a timeout becomes
telegram.error.TimedOut, any other transport failure telegram.error.NetworkError, as
with HTTPXRequest, except that a connection that could not be made in time is a
NetworkError: only a TimedOut means the request went out and may have been delivered
(bot.errors.Unanswered). Requests with files go to an HTTPXRequest.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData


# How long a Bot API call may take to answer once sent (python-telegram-bot's default is
# 5 s; we had 10). sendMessage normally answers in well under a second. A timeout is not a
# failure of the message: Telegram may have delivered it and only its answer is late, and
# the Bot API has no idempotency key, so the sender's retry can reach the resident a
# second time (seen on loopback: 5 slow answers, 5 duplicates). A long wait costs little
# (one of the channel's sends in flight, and that resident's next message, held a while
# longer) while a duplicate confuses a resident, so we wait 30 s: answers that slow come
# only from a Bot API in trouble, and the retries that follow are counted
# (digicheque_sent_after_timeout_total) rather than silent.
SEND_READ_TIMEOUT = 30.0


def _chosen(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """Keep-alive connections to the Bot API, at most `connection_pool_size` at once."""

    def __init__(self, connection_pool_size: int = 8,
                 read_timeout: float | None = SEND_READ_TIMEOUT,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        self._size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._files = HTTPXRequest(connection_pool_size=1, read_timeout=read_timeout,
                                   write_timeout=write_timeout,
                                   connect_timeout=connect_timeout, pool_timeout=pool_timeout)

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """As python-telegram-bot's, without its ERROR line and traceback for an answer
        that is not JSON: a proxy's 502 page, once per attempt for as long as an outage
        lasts. The library still turns it into a NetworkError naming the status, and
        the sender logs that failure itself, in one line."""
        try:
            return cast(JSONDict, json.loads(payload.decode("utf-8", "replace")))
        except ValueError as exc:
            raise TelegramError("Invalid server response") from exc

    async def initialize(self) -> None:
        await self._files.initialize()

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        await self._files.shutdown()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT})
        return self._session

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE,
                         write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._files.do_request(url, method, request_data, read_timeout,
                                                write_timeout, connect_timeout, pool_timeout)
        read = _chosen(read_timeout, self._read_timeout)
        write = _chosen(write_timeout, self._write_timeout)
        connect = _chosen(connect_timeout, self._connect_timeout)
        pool = _chosen(pool_timeout, self._pool_timeout)
        # aiohttp's `connect` covers waiting for a pooled connection and connecting.
        timeout = aiohttp.ClientTimeout(
            total=None, connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect, sock_read=max(read or 0, write or 0) or None)
        body = request_data.url_encoded_parameters().encode() if request_data else b""
        try:
            async with self._client().request(
                    method, url, data=body, timeout=timeout,
                    headers={"Content-Type": "application/x-www-form-urlencoded"}) as answer:
                return answer.status, await answer.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise NetworkError("could not connect to the Bot API in time") from exc
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise TimedOut from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{exc.__class__.__name__}: {exc}") from exc
