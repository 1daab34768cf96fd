"""`digicheque broadcast`: announcements from staff to residents (storage.broadcasts).

`create` shows who gets what before anything is sent (audience per channel and
language, the text each group gets, each text's SMS size) and asks first; `status`
follows one as the sender works through it; `cancel` stops what was not sent yet.
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime

import click
from sqlalchemy import func, select

from bot.app import App, parse_moment, pass_app
from bot.commands.common import DAY, columns
from conversations.gsm7 import as_sms
from storage import broadcasts
from storage.broadcasts import AUDIENCES, LANGUAGES, Audience, BroadcastError, Preview, Progress
from storage.models import Broadcast, Outbox, OutboxStatus

FOLLOW_EVERY = 1.0   # seconds between two looks at the outbox with --follow


def _local(moment: datetime, app: App) -> str:
    return f"{moment.astimezone(app.settings.tz):%Y-%m-%d %H:%M}"


def _describe(audience: Audience) -> str:
    parts = [AUDIENCES[audience.name]]
    if audience.first_day or audience.last_day:
        first = audience.first_day.isoformat() if audience.first_day else "now"
        last = audience.last_day.isoformat() if audience.last_day else "any later day"
        parts.append(f"visit from {first} to {last}")
    if audience.channel:
        parts.append(f"on {audience.channel}")
    if audience.language:
        parts.append(f"language {audience.language}")
    return ", ".join(parts)


def show_preview(shown: Preview, audience: Audience) -> None:
    """Who gets which text, and how each text travels by SMS."""
    click.echo(f"Audience: {_describe(audience)}")
    if shown.groups:
        rows = [[g.channel, g.language, str(g.count), f"the {g.text_language} text"]
                for g in shown.groups]
        click.echo(columns(["channel", "language", "residents", "gets"], rows))
    click.echo(f"Total: {shown.total} resident(s)")
    for language, text in shown.texts.items():
        sms, size = as_sms(text)
        click.echo(f"\nText {language} ({shown.getting(language)} resident(s)); by SMS "
                   f"{size.segments} segment(s):")
        click.echo(f"  {text}")
        if sms != text:
            click.echo(f"  By SMS, in the SMS alphabet: {sms}")
        if size.too_long:
            click.echo(f"Warning: the {language} text is {size.segments} SMS segments; "
                       "keep it to 2 or fewer.", err=True)


@click.group()
def broadcast() -> None:
    """Send an announcement to a group of residents, follow it, or stop it.

    Each resident gets the text in their language, else the Dutch one; residents who
    opted out never get a broadcast. Replies to residents always go before it.
    """


@broadcast.command("create")
@click.option("--text", "text_nl", required=True, help="The Dutch text (everyone's fallback).")
@click.option("--text-fr", help="The French text, for French-speaking residents.")
@click.option("--text-en", help="The English text, for English-speaking residents.")
@click.option("--to", "audience_name", required=True, type=click.Choice(list(AUDIENCES)),
              help="Who: all; upcoming (a visit to come); unbooked (a redeemed cheque with "
                   "visits left, no visit to come); unfinished (never finished booking).")
@click.option("--from", "first", type=DAY, help="With --to upcoming: visits from this day.")
@click.option("--to-date", "last", type=DAY,
              help="With --to upcoming: visits up to this day (included).")
@click.option("--channel", type=click.Choice(["sms", "telegram"]),
              help="Only residents on this channel.")
@click.option("--language", type=click.Choice(list(LANGUAGES)),
              help="Only residents with this language.")
@click.option("--at", "at_text", metavar="WHEN",
              help="Send later, e.g. '2026-12-24 10:00' (Brussels time). Default: now.")
@click.option("--dry-run", is_flag=True, help="Show who would get what; send nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@pass_app
def create_command(app: App, text_nl: str, text_fr: str | None, text_en: str | None,
                   audience_name: str, first: date | None, last: date | None,
                   channel: str | None, language: str | None, at_text: str | None,
                   dry_run: bool, yes: bool) -> None:
    """Show the audience and the texts, then (after confirming) send or schedule."""
    now = app.clock()
    at = parse_moment(at_text, app.settings, "'--at'") if at_text else None
    if at is not None and at < now:
        raise click.BadParameter(f"{_local(at, app)} is in the past (now it is "
                                 f"{_local(now, app)})", param_hint="'--at'")
    texts = {"nl": text_nl, "fr": text_fr, "en": text_en}
    try:
        audience = Audience(audience_name, channel, language, first, last)
        broadcasts.clean_texts(texts)
    except BroadcastError as exc:
        raise click.UsageError(str(exc)) from None
    sessions = app.sessions()
    with sessions() as session:
        shown = broadcasts.preview(session, audience, texts, now, app.settings.tz)
    show_preview(shown, audience)
    if dry_run:
        click.echo("\nDry run: nothing sent.")
        return
    if shown.total == 0 and at is None:
        raise click.ClickException("No resident is in this audience: nothing to send.")
    when = f"at {_local(at, app)}" if at else "now"
    if not yes:
        click.confirm(f"\nSend to {shown.total} resident(s) {when}?", abort=True)
    with sessions.begin() as session:
        created = broadcasts.create(session, texts=texts, audience=audience, now=now, at=at,
                                    created_by="cli")
        queued = None if at else broadcasts.send(session, created.id, now, app.settings.tz)
        broadcast_id = created.id
    if queued is None:
        click.echo(f"Broadcast #{broadcast_id} scheduled for {_local(at or now, app)}; "
                   "the audience is counted again when it goes out.")
    else:
        click.echo(f"Broadcast #{broadcast_id}: {queued} message(s) queued. Follow it with: "
                   f"digicheque broadcast status {broadcast_id} --follow")


def _show_progress(p: Progress) -> None:
    click.echo(f"Broadcast #{p.broadcast_id}: {p.status}, {p.recipients} recipient(s)")
    click.echo(f"  waiting {p.pending}, sent {p.sent} (delivered {p.delivered}), "
               f"failed {p.failed}, cancelled {p.cancelled}, opted out since {p.opted_out}")


def _progress(app: App, broadcast_id: int) -> Progress:
    with app.sessions()() as session:
        try:
            return broadcasts.status(session, broadcast_id)
        except BroadcastError as exc:
            raise click.ClickException(f"{exc}; see: digicheque broadcast list") from None


@broadcast.command("status")
@click.argument("broadcast_id", metavar="ID", type=int)
@click.option("--follow", is_flag=True,
              help="Show a live progress bar until no message is waiting any more.")
@pass_app
def status_command(app: App, broadcast_id: int, follow: bool) -> None:
    """How far a broadcast is: waiting, sent, delivered, failed, cancelled, opted out."""
    progress = _progress(app, broadcast_id)
    if follow and progress.pending:
        with click.progressbar(length=max(1, progress.recipients), label="Sending",
                               file=sys.stderr, show_pos=True) as bar:
            shown = progress.done
            bar.update(shown)
            while progress.pending:
                time.sleep(FOLLOW_EVERY)
                progress = _progress(app, broadcast_id)
                bar.update(progress.done - shown)
                shown = progress.done
    _show_progress(progress)


@broadcast.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many of the newest broadcasts.")
@pass_app
def list_command(app: App, limit: int) -> None:
    """The newest broadcasts with their counts."""
    with app.sessions()() as session:
        found = broadcasts.recent(session, limit)
        counts: dict[tuple[int, str], int] = {
            (b, s): n for b, s, n in session.execute(
                select(Outbox.broadcast_id, Outbox.status, func.count())
                .where(Outbox.broadcast_id.in_([b.id for b in found]))
                .group_by(Outbox.broadcast_id, Outbox.status)).tuples()
            if b is not None}
        rows = [_row(app, b, counts) for b in found]
    if not rows:
        click.echo("No broadcasts yet. Create one with: digicheque broadcast create --help")
        return
    click.echo(columns(["id", "status", "when", "to", "recipients", "waiting", "sent",
                        "failed", "text"], rows))


def _row(app: App, b: Broadcast, counts: dict[tuple[int, str], int]) -> list[str]:
    def n(*statuses: str, purged: int = 0) -> str:
        """Its outbox rows in these states, plus those the purge already deleted."""
        return str(purged + sum(counts.get((b.id, s), 0) for s in statuses))

    audience = Audience.from_stored(b.audience, b.filters or {})
    text = str(b.texts.get("nl", ""))
    return [f"#{b.id}", b.status, _local(b.scheduled_at, app), _short(audience),
            str(b.recipients), n(OutboxStatus.PENDING, OutboxStatus.SENDING),
            n(OutboxStatus.SENT, purged=b.sent), n(OutboxStatus.FAILED, purged=b.failed),
            text if len(text) <= 40 else text[:39] + "…"]


def _short(audience: Audience) -> str:
    parts = [audience.name, audience.channel or "", audience.language or ""]
    if audience.first_day or audience.last_day:
        parts.append(f"{audience.first_day or ''}..{audience.last_day or ''}")
    return " ".join(p for p in parts if p)


@broadcast.command("cancel")
@click.argument("broadcast_id", metavar="ID", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@pass_app
def cancel_command(app: App, broadcast_id: int, yes: bool) -> None:
    """Stop a broadcast: what was not sent yet is not sent; what was sent stays sent."""
    progress = _progress(app, broadcast_id)
    if progress.status == "cancelled":
        raise click.ClickException(f"Broadcast #{broadcast_id} is already cancelled.")
    if not yes:
        waiting = f"{progress.pending} message(s) not sent yet" if progress.recipients \
            else "not sent yet"
        click.confirm(f"Cancel broadcast #{broadcast_id} ({waiting})?", abort=True)
    with app.sessions().begin() as session:
        try:
            done = broadcasts.cancel(session, broadcast_id, app.clock())
        except BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
    after = _progress(app, broadcast_id)
    click.echo(f"Broadcast #{broadcast_id} cancelled: {done.stopped} message(s) will not be "
               f"sent; {after.sent} already sent.")
