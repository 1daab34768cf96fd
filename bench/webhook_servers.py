"""The servers the webhook benchmark compares, each started as its own process.

    python -m bench.webhook_servers floor --port P
    python -m bench.webhook_servers peer  --port P --api URL --dir D
    python -m bench.webhook_servers ours  --port P --api URL --db URL [--telegram-limits]
                                          [--echo]

floor  a bare Starlette endpoint that reads and parses the Update JSON and answers 200;
       the fastest any webhook on this machine can be.
peer   python-telegram-bot's own way: Application + ConversationHandler with
       PicklePersistence behind the same kind of Starlette webhook (the webhook puts the
       Update on the application's queue and answers 200; state lives in memory and is
       written to the pickle file every 60 s, the library's default). The conversation
       has the same seven turns as ours, with the same keyboards.
ours   `digicheque run`'s serve(): the engine commits every update with its replies in
       one transaction before answering; the outbox sender delivers. The fake Bot API
       has no rate limits, so ours runs with limits that never bind, unless
       --telegram-limits asks for Telegram's real ones (the broadcast scenario).

All three run on one uvicorn worker with the same settings (asyncio loop, h11).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.webhook_load import SECRET, TOKEN

UVICORN: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "off",
                           "loop": "asyncio", "http": "h11", "ws": "none"}


def floor_app() -> Starlette:
    async def webhook(request: Request) -> Response:
        json.loads(await request.body())
        return Response(status_code=200)

    return Starlette(routes=[Route("/telegram", webhook, methods=["POST"])])


async def run_until_signal(server: uvicorn.Server, *cleanup: Any) -> None:
    await server.serve()
    for step in cleanup:
        await step()


def serve_floor(port: int) -> None:
    server = uvicorn.Server(uvicorn.Config(floor_app(), host="127.0.0.1", port=port, **UVICORN))
    asyncio.run(run_until_signal(server))


def serve_peer(port: int, api: str, folder: Path) -> None:
    from telegram import ReplyKeyboardMarkup, Update
    from telegram.ext import (
        Application,
        CommandHandler,
        ContextTypes,
        ConversationHandler,
        MessageHandler,
        PicklePersistence,
        filters,
    )

    postcode, street, phone, topic, when, confirm = range(6)

    async def ask(update: Update, text: str, labels: list[str] | None = None) -> None:
        markup = ReplyKeyboardMarkup([[label] for label in labels], resize_keyboard=True,
                                     one_time_keyboard=True) if labels else None
        if update.message is not None:
            await update.message.reply_text(text, reply_markup=markup)

    def said(update: Update) -> str:
        return (update.message.text or "") if update.message is not None else ""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """The deep link carries the code: remember it, ask the postcode."""
        assert context.user_data is not None  # per-user data is on (the default)
        context.user_data["code"] = (context.args or [""])[0]
        await ask(update, "Uw code is goed. Wat is uw postcode?")
        return postcode

    async def got_postcode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["postcode"] = said(update)  # type: ignore[index]
        await ask(update, "Straat en huisnummer?")
        return street

    async def got_street(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["street"] = said(update)  # type: ignore[index]
        await ask(update, "Op welk nummer kan de coach u bellen?")
        return phone

    async def got_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["phone"] = said(update)  # type: ignore[index]
        await ask(update, "Waarmee wilt u hulp?", [
            "Smartphone of tablet", "Computer", "itsme", "Bankieren", "Iets anders"])
        return topic

    async def got_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["topic"] = said(update)  # type: ignore[index]
        await ask(update, "Wanneer past het?", [
            "wo 2 dec 09:00", "wo 2 dec 10:30", "do 3 dec 13:00", "Andere dag"])
        return when

    async def got_when(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["when"] = said(update)  # type: ignore[index]
        await ask(update, "Klopt alles?", ["Ja, boek het", "Nee"])
        return confirm

    async def got_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await ask(update, "Geboekt. Tot dan!")
        return ConversationHandler.END

    text = filters.TEXT & ~filters.COMMAND
    application = (Application.builder().token(TOKEN).base_url(api).updater(None)
                   .persistence(PicklePersistence(folder / "peer.pickle")).build())
    application.add_handler(ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={postcode: [MessageHandler(text, got_postcode)],
                street: [MessageHandler(text, got_street)],
                phone: [MessageHandler(text, got_phone)],
                topic: [MessageHandler(text, got_topic)],
                when: [MessageHandler(text, got_when)],
                confirm: [MessageHandler(text, got_confirm)]},
        fallbacks=[], name="booking", persistent=True))

    async def webhook(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != SECRET:
            return Response(status_code=403)
        data = json.loads(await request.body())
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/telegram", webhook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **UVICORN))

    async def main() -> None:
        async with application:
            await application.start()
            await server.serve()
            await application.stop()

    asyncio.run(main())


class EchoEngine:
    """The engine's contract at its cheapest: record the update, queue one reply with two
    buttons (claimed for this process's sender, as the real engine does), one
    transaction, then hand the reply over. Isolates the runtime (webhook, outbox,
    sender) from the conversation's own cost."""

    def __init__(self, settings: Any, sessions: Any, clock: Any, delivery: Any = None) -> None:
        self.sessions, self.clock, self.delivery = sessions, clock, delivery

    def handle(self, msg: Any) -> bool:
        from storage.models import Inbound
        from storage.outbox import enqueue
        from storage.prepared import insert_ignore
        now = self.clock()
        with self.sessions.begin() as session:
            if not insert_ignore(session, Inbound.__table__, {
                    "channel": msg.channel, "provider_id": msg.provider_id,
                    "received_at": now}):
                return False
            claim = self.delivery.claim(msg.channel, now) if self.delivery else None
            reply = enqueue(session, channel=msg.channel, address=msg.address,
                            body=f"echo {msg.text}", choices=["A", "B"], now=now, claim=claim)
        if claim is not None:
            self.delivery.take([reply])
        elif self.delivery is not None:
            self.delivery.wake()
        return True


def serve_ours(port: int, api: str, db: str, telegram_limits: bool, echo: bool = False) -> None:
    from bot.channels.telegram import LIMITS
    from bot.commands.run import serve
    from bot.config import ServerSettings, Settings, TelegramSettings
    from bot.sender import RateLimits
    from bot.wiring import conversation_engine
    from storage.clock import system_clock
    from storage.db import make_engine, make_sessionmaker

    limits = LIMITS if telegram_limits else RateLimits(1e6, 1e6, 1e6, 1e6)
    settings = Settings(
        telegram=TelegramSettings(token=TOKEN, secret_token=SECRET, api_base_url=api,
                                  webhook_url=f"http://127.0.0.1:{port}/telegram"),
        server=ServerSettings(host="127.0.0.1", port=port))
    engine = make_engine(db)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, engine, make_sessionmaker(engine), system_clock, stop=stop,
                    telegram_limits=limits,
                    engine_factory=EchoEngine if echo else conversation_engine)

    asyncio.run(main())
    engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook_servers")
    parser.add_argument("mode", choices=["floor", "peer", "ours"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api", help="fake Bot API base URL")
    parser.add_argument("--db", help="database URL (ours)")
    parser.add_argument("--dir", type=Path, help="folder for the peer's pickle file")
    parser.add_argument("--telegram-limits", action="store_true")
    parser.add_argument("--echo", action="store_true", help="ours with a trivial engine")
    args = parser.parse_args(argv)
    if args.mode == "floor":
        serve_floor(args.port)
    elif args.mode == "peer":
        serve_peer(args.port, args.api, args.dir)
    else:
        serve_ours(args.port, args.api, args.db, args.telegram_limits, args.echo)


if __name__ == "__main__":
    main()
