"""python-telegram-bot's HTTP layer on aiohttp, for the outbox sender's sends.

Profiling the webhook benchmark showed the event loop spending about three quarters of
its time in httpx/httpcore/anyio per sendMessage (connection-pool bookkeeping that polls
every pooled socket on each request, cancel scopes, locks), more than in our own work.
aiohttp, already installed for twilio's async client, does the same job at a fraction
of that cost. python-telegram-bot still builds each request and reads each answer, so
its error mapping (RetryAfter, Forbidden, BadRequest, ...) and ours
(bot.channels.telegram.map_error) are unchanged: a timeout becomes
telegram.error.TimedOut, any other transport failure telegram.error.NetworkError, as
with HTTPXRequest. Requests with files go to an HTTPXRequest.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData


def _chosen(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """Keep-alive connections to the Bot API, at most `connection_pool_size` at once."""

    def __init__(self, connection_pool_size: int = 8, read_timeout: float | None = 5.0,
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
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise TimedOut from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{exc.__class__.__name__}: {exc}") from exc
