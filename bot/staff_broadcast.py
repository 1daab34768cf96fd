"""`/broadcast` for staff on Telegram: in a private chat with the bot, a staff member
chooses an audience, writes the Dutch text and, when the audience has French- or
English-speaking residents, a text for them too (or skips it: they get the Dutch one),
sees the same preview as `digicheque broadcast create` (residents per channel and
language, each text's SMS size) and sends it only with the confirm button.
storage/broadcasts.py does the work, as for the command line.

Who: the Telegram user ids in [staff] telegram_ids (a private chat's id is its user's
id). Anyone else who sends /broadcast is a resident like any other and gets the
resident conversation.

Where the dialog is kept: in the staff member's own conversation row (they are a
Telegram "resident" too), under states of its own (`staff.*`, never a resident state),
with what they had before kept aside and put back when the dialog ends, and an expiry of
an hour: a dialog left half-way ends by itself. The texts of the dialog are for staff
(Dutch), not the residents' catalogues.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conversations.engine import Engine
from conversations.gsm7 import as_sms
from conversations.incoming import Incoming, Kind
from storage import broadcasts
from storage.broadcasts import Audience, BroadcastError
from storage.models import Conversation, Resident
from storage.outbox import enqueue
from storage.residents import lock_resident, record_inbound, save_conversation

CHANNEL = "telegram"
COMMAND = "/broadcast"
LASTS = timedelta(hours=1)      # a dialog left this long ends by itself
AUDIENCE, TEXT, CONFIRM = "staff.audience", "staff.text", "staff.confirm"
TRANSLATION = "staff.translation"   # a text in another language (data["asking"])
STATES = (AUDIENCE, TEXT, TRANSLATION, CONFIRM)

LABELS = {   # the audiences as staff choose them (storage.broadcasts.AUDIENCES)
    "all": "Alle bewoners",
    "upcoming": "Met een bezoek gepland",
    "unbooked": "Cheque zonder bezoek",
    "unfinished": "Boeking niet afgerond",
}
SEND, DONT = "Versturen", "Niet versturen"
SKIP = "Overslaan"
LANGUAGE_NAMES = {"fr": "Frans", "en": "Engels"}   # the translations asked, in this order
STOP_WORDS = {DONT.lower(), "annuleren", "stop", "/cancel", "/stop"}


class BroadcastDialog:
    """Staff's /broadcast in a private chat; every other message is not its business."""

    def __init__(self, engine: Engine, staff_ids: Collection[str]) -> None:
        self.engine, self.staff = engine, frozenset(staff_ids)

    def wants(self, msg: Incoming) -> bool:
        """A staff member's /broadcast, or their next answer in the dialog."""
        if msg.channel != CHANNEL or msg.kind is not Kind.TEXT or msg.address not in self.staff:
            return False
        if _command(msg.text):
            return True
        with self.engine.sessions() as session:
            return _in_dialog(session, msg.address, self.engine.clock())

    def handle(self, msg: Incoming) -> bool:
        now = self.engine.clock()
        with self.engine.sessions.begin() as session:
            if not record_inbound(session, msg.channel, msg.provider_id, now):
                return False
            resident, conversation = lock_resident(session, msg.channel, msg.address,
                                                   self.engine.rules.default_language, now)
            live = conversation is not None and conversation.expires_at is not None \
                and conversation.expires_at > now
            state = conversation.state if conversation is not None and live else None
            data = dict(conversation.data or {}) if conversation is not None else {}
            if state not in STATES:   # the dialog starts: keep their conversation aside
                before = {"state": conversation.state if conversation is not None else None,
                          "data": data,
                          "expires": conversation.expires_at.isoformat()
                          if conversation is not None and conversation.expires_at else None}
                state, data = None, {"before": before}
            elif _command(msg.text):   # /broadcast again: start over
                state, data = None, {"before": data.get("before", {})}
            reply, choices, state, data = self._step(session, state, msg.text.strip(), data,
                                                     msg.address, now)
            if state is None:
                _restore(session, resident.id, data.get("before", {}), now)
            else:
                save_conversation(session, resident.id, state, data, now, now + LASTS)
            enqueue(session, channel=CHANNEL, address=resident.address, body=reply,
                    choices=choices or None, now=now, resident_id=resident.id)
        if self.engine.delivery is not None:
            self.engine.delivery.wake()   # the answer, and a broadcast's rows if sent
        return True

    def _step(self, session: Session, state: str | None, text: str, data: dict[str, Any],
              who: str, now: datetime) -> tuple[str, list[str], str | None, dict[str, Any]]:
        """(answer, buttons, next state or None when the dialog ends, data)."""
        if state is not None and text.lower() in STOP_WORDS:
            return "Niet verstuurd. Een nieuwe aankondiging: /broadcast", [], None, data
        if state is None:
            return self._ask_audience(session, now, data)
        if state == AUDIENCE:
            chosen = _audience(text)
            if chosen is None:
                answer, buttons, _, _ = self._ask_audience(session, now, data)
                return "Kies een groep met de knoppen.\n" + answer, buttons, AUDIENCE, data
            return (f"{LABELS[chosen]}. Welke tekst krijgen zij? Schrijf hem in het "
                    "Nederlands: wie geen eigen vertaling krijgt, krijgt deze.", [DONT],
                    TEXT, {**data, "audience": chosen})
        audience = Audience(data["audience"])
        if state in (TEXT, TRANSLATION):
            language = data.get("asking", "nl") if state == TRANSLATION else "nl"
            texts = dict(data.get("texts", {}))
            if not (state == TRANSLATION and text.lower() == SKIP.lower()):
                texts[language] = text
            try:
                shown = broadcasts.preview(session, audience, texts, now,
                                           self.engine.rules.tz)
            except BroadcastError as exc:
                buttons = [SKIP, DONT] if state == TRANSLATION else [DONT]
                return f"{exc}. Schrijf de tekst opnieuw.", buttons, state, data
            data = {**data, "texts": texts,
                    "asked": [*data.get("asked", []), language]}
            return self._next_text(shown, audience, data)
        if text.lower() != SEND.lower():
            return f"Versturen of niet? Kies {SEND} of {DONT}.", [SEND, DONT], CONFIRM, data
        created = broadcasts.create(session, texts=data["texts"], audience=audience,
                                    now=now, created_by=f"telegram:{who}")
        queued = broadcasts.send(session, created.id, now, self.engine.rules.tz) or 0
        return (f"Verstuurd: aankondiging #{created.id} naar {queued} bewoner(s). Volgen: "
                f"digicheque broadcast status {created.id}", [], None, data)

    def _next_text(self, shown: broadcasts.Preview, audience: Audience, data: dict[str, Any]
                   ) -> tuple[str, list[str], str, dict[str, Any]]:
        """A text in the next language the audience has residents for, else the preview."""
        speaking = {g.language for g in shown.groups if g.count}
        for language, name in LANGUAGE_NAMES.items():
            if language in speaking and language not in data["asked"]:
                count = sum(g.count for g in shown.groups if g.language == language)
                return (f"{count} van hen spreekt {name}. Schrijf de tekst in het {name}, "
                        f"of kies {SKIP}: dan krijgen zij de Nederlandse.",
                        [SKIP, DONT], TRANSLATION, {**data, "asking": language})
        return _preview(shown, audience), [SEND, DONT], CONFIRM, data

    def _ask_audience(self, session: Session, now: datetime, data: dict[str, Any]
                      ) -> tuple[str, list[str], str, dict[str, Any]]:
        tz = self.engine.rules.tz
        counts = {name: int(session.scalar(select(func.count()).select_from(Resident)
                                           .where(Audience(name).condition(now, tz))) or 0)
                  for name in LABELS}
        buttons = [f"{LABELS[name]} ({counts[name]})" for name in LABELS]
        return ("Een aankondiging aan bewoners. Aan wie?", [*buttons, DONT], AUDIENCE, data)


def _command(text: str) -> bool:
    head = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    return head.split("@", 1)[0] == COMMAND


def _in_dialog(session: Session, address: str, now: datetime) -> bool:
    found = session.execute(
        select(Conversation.state, Conversation.expires_at).join(
            Resident, Resident.id == Conversation.resident_id)
        .where(Resident.channel == CHANNEL, Resident.address == address)).first()
    return found is not None and found[0] in STATES and found[1] is not None \
        and found[1] > now


def _audience(text: str) -> str | None:
    """A button's label ("Met een bezoek gepland (12)"), its name or its number."""
    folded = text.lower().strip()
    for number, (name, label) in enumerate(LABELS.items(), start=1):
        if folded in (str(number), name) or folded.startswith(label.lower()):
            return name
    return None


def _preview(shown: broadcasts.Preview, audience: Audience) -> str:
    """Who gets which text, each text's size by SMS, and the question."""
    lines = [f"Voorbeeld voor {LABELS[audience.name].lower()}:"]
    for language, text in shown.texts.items():
        sms, size = as_sms(text)
        lines += ["", f"Tekst {language} ({shown.getting(language)} bewoner(s)):", text,
                  *([f"Per sms als: {sms}"] if sms != text else []),
                  f"Per sms: {size.segments} deel/delen"
                  + (" - lang: liefst 2 delen of minder" if size.too_long else "")]
    lines += ["", *(f"{g.channel} {g.language}: {g.count}" for g in shown.groups),
              f"Samen: {shown.total} bewoner(s)", f"{SEND}?"]
    return "\n".join(lines)


def _restore(session: Session, resident_id: int, before: dict[str, Any], now: datetime) -> None:
    """The conversation the staff member had before the dialog, as it was."""
    state = before.get("state")
    if state is None or state in STATES:
        session.query(Conversation).filter(Conversation.resident_id == resident_id).delete()
        return
    expires = before.get("expires")
    save_conversation(session, resident_id, state, before.get("data") or {}, now,
                      datetime.fromisoformat(expires) if expires else None)
