"""The Bot API HTTP client on aiohttp (bot.channels.telegram_http) against a scripted server,
and its timeouts against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram import TelegramSender, make_bot
from bot.channels.telegram_http import AiohttpRequest
from bot.config import TelegramSettings
from storage.outbox import OutboxMessage
from tests.auxil.fake_telegram import TOKEN, FakeTelegram

Answer = Callable[[int, bytes], bytes | None]  # (request number, body) -> raw response


def ok(payload: dict[str, object], extra: bytes = b"") -> bytes:
    body = json.dumps(payload).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


async def scripted(answer: Answer) -> tuple[asyncio.Server, list[int], list[bytes]]:
    """A server answering each request with answer(n, body); None: say nothing."""
    connections: list[int] = []
    bodies: list[bytes] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length"))
                body = await reader.readexactly(length)
                bodies.append(body)
                raw = answer(len(bodies), body)
                if raw is None:
                    await asyncio.sleep(5)
                    return
                writer.write(raw)
                await writer.drain()
                if b"Connection: close" in raw:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, connections, bodies


def data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


def url(server: asyncio.Server, method: str = "sendMessage") -> str:
    port = server.sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}/botTOKEN/{method}"


def test_posts_the_form_and_reuses_the_connection() -> None:
    async def scenario() -> None:
        server, connections, bodies = await scripted(lambda n, _b: ok({"ok": True,
                                                                        "result": n}))
        request = AiohttpRequest()
        await request.initialize()
        try:
            for n in (1, 2, 3):
                status, payload = await request.do_request(
                    url(server), "POST", data(chat_id=42, text=f"hallo {n}",
                                              reply_markup={"keyboard": [["Ja"]]}))
                assert status == 200
                assert json.loads(payload) == {"ok": True, "result": n}
        finally:
            await request.shutdown()
            server.close()
        assert len(connections) == 1
        form = {k: v[-1] for k, v in parse_qs(bodies[0].decode()).items()}
        assert form["chat_id"] == "42" and form["text"] == "hallo 1"
        assert json.loads(form["reply_markup"]) == {"keyboard": [["Ja"]]}

    asyncio.run(scenario())


def test_chunked_and_connection_close_and_error_status() -> None:
    def answer(n: int, _body: bytes) -> bytes:
        if n == 1:
            return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\n{\"ok\"\r\n9\r\n: true}  \r\n0\r\n\r\n")
        if n == 2:
            return ok({"ok": True}, b"Connection: close\r\n")
        return ok({"ok": False, "error_code": 429, "parameters": {"retry_after": 3}})

    async def scenario() -> None:
        server, connections, _ = await scripted(answer)
        request = AiohttpRequest()
        try:
            assert (await request.do_request(url(server), "POST", data(a=1))) == \
                (200, b'{"ok": true}  ')
            assert (await request.do_request(url(server), "POST", data(a=2)))[0] == 200
            status, payload = await request.do_request(url(server), "POST", data(a=3))
            assert status == 200 and json.loads(payload)["error_code"] == 429
        finally:
            await request.shutdown()
            server.close()
        assert len(connections) == 2  # the server closed the second one

    asyncio.run(scenario())


def test_silence_is_timed_out_and_no_server_is_a_network_error() -> None:
    async def scenario() -> None:
        server, _, _ = await scripted(lambda _n, _b: None)
        request = AiohttpRequest(read_timeout=0.2)
        try:
            with pytest.raises(TimedOut):
                await request.do_request(url(server), "POST", data(a=1))
            address = url(server)
            server.close()
            await server.wait_closed()
            with pytest.raises(NetworkError):
                await request.do_request(address, "POST", data(a=1))
        finally:
            await request.shutdown()

    asyncio.run(scenario())


def test_a_connection_not_made_in_time_is_not_a_timed_out_send() -> None:
    """Only a request that went out may have been delivered (TimedOut, which the sender
    counts if the message is sent again). Waiting in vain for a connection, here because
    the one pooled connection is busy, is a NetworkError: nothing went out."""
    async def scenario() -> None:
        server, _, bodies = await scripted(lambda _n, _b: None)  # holds the connection
        request = AiohttpRequest(connection_pool_size=1, read_timeout=5.0,
                                 connect_timeout=0.1, pool_timeout=0.1)
        busy = asyncio.ensure_future(request.do_request(url(server), "POST", data(a=1)))
        try:
            while not bodies:
                await asyncio.sleep(0.01)
            with pytest.raises(NetworkError) as info:
                await request.do_request(url(server), "POST", data(a=2))
            assert not isinstance(info.value, TimedOut)
            assert len(bodies) == 1  # the second request never went out
        finally:
            busy.cancel()
            await asyncio.gather(busy, return_exceptions=True)
            await request.shutdown()
            server.close()

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_send_answered_after_more_than_ten_seconds_is_waited_for() -> None:
    """make_bot's client waits 30 s for sendMessage's answer (SEND_READ_TIMEOUT). With the
    old 10 s, an answer 10.5 s late was a TimedOut, and the sender's retry reached the
    resident a second time; now the one send gets its answer."""
    message = OutboxMessage(id=1, channel="telegram", address="101", body="Tot dan.",
                            choices=None, priority=0, attempts=0)
    with FakeTelegram() as fake:
        fake.answer_late("101", seconds=10.5)

        async def scenario() -> str:
            async with make_bot(TelegramSettings(token=TOKEN,
                                                 api_base_url=fake.base_url)) as bot:
                return await TelegramSender(bot).send(message)

        provider_id = asyncio.run(scenario())
    [sent] = fake.attempts_to("101")
    assert (sent.text, sent.status, provider_id) == ("Tot dan.", 200, str(sent.message_id))
