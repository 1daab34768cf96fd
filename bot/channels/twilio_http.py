"""The twilio client's HTTP layer on one aiohttp session of ours.

twilio ships an aiohttp client (AsyncTwilioHttpClient), but it authenticates with
aiohttp's BasicAuth, deprecated since aiohttp 3.12 and gone in 4, and logs every request
at INFO. This one sends the same requests with an Authorization header, keeps its
connections alive in one session created on first use (so inside the running loop),
bounds each request by a timeout, and logs nothing: the sender logs outcomes, masked.
Transport failures propagate as aiohttp.ClientError / asyncio.TimeoutError, which
bot.channels.sms maps to TEMPORARY.
"""

from __future__ import annotations

import logging

import aiohttp
from twilio.http import AsyncHttpClient
from twilio.http.response import Response


class AiohttpTwilioClient(AsyncHttpClient):  # type: ignore[misc]  # twilio has no types
    def __init__(self, timeout: float = 30.0, connections: int = 8) -> None:
        super().__init__(logging.getLogger(__name__), is_async=True, timeout=timeout)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def request(self, method: str, uri: str, params: dict[str, str] | None = None,
                      data: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> Response:
        sent = dict(headers or {})
        if auth is not None:
            sent["Authorization"] = aiohttp.encode_basic_auth(auth[0], auth[1])
        async with self._client().request(
                method.upper(), uri, params=params, data=data, headers=sent,
                allow_redirects=allow_redirects,
                timeout=aiohttp.ClientTimeout(total=timeout or self.timeout)) as answer:
            return Response(answer.status, await answer.text(), answer.headers)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
