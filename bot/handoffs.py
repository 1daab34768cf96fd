"""The staff group's side of a hand-off: a staff member's reply reaches the resident.

Staff answer a resident by replying (Telegram's "Reply") to the bot's message about them
in the staff group ([staff] group_chat_id): the text goes to the resident on their own
channel through the outbox, like any reply (Engine.push: under the resident's lock, in
their language's frame, SMS-safe). `/done` as a reply closes the hand-off and gives the
resident back to the bot (they are told, and get the menu or the code question).

Who may answer: only the staff members listed in [staff] telegram_ids, not whoever is in
the group. Membership of a Telegram group is managed in Telegram, by whoever can add
people or share an invite link; the list in the config is the authorisation staff
actions must check (G9), and a reply from anyone else never reaches a resident (the
group is told why, so a colleague missing from the list is noticed).

Every message from the staff group is recorded like any inbound message (a redelivered
update does nothing twice) and handled in one transaction; messages from other chats go
to the conversation engine unchanged (other groups get "I only talk in private chats").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from bot.staff_broadcast import BroadcastDialog
from conversations import handoff as flow
from conversations.engine import Engine
from conversations.incoming import Incoming
from storage.handoffs import (
    close_handoff,
    group_message_text,
    handoff_by_group_message,
    noticed,
)
from storage.models import Handoff, Resident
from storage.outbox import enqueue
from storage.residents import record_inbound

log = logging.getLogger(__name__)

CHANNEL = "telegram"
_DONE = re.compile(r"/done(?:@\w+)?", re.IGNORECASE)


class StaffDesk:
    """Routes the staff group's messages to hand-offs, staff's /broadcast to its dialog
    (bot/staff_broadcast.py) and everything else to the engine.

    Has the engine's `handle(Incoming) -> bool` (False for a redelivery), so the webhook
    and the poller take it in the engine's place.
    """

    def __init__(self, engine: Engine, group: str, staff_ids: Collection[str]) -> None:
        self.engine, self.group, self.staff = engine, group, frozenset(staff_ids)
        self.broadcast = BroadcastDialog(engine, self.staff)   # /broadcast in private

    def handle(self, msg: Incoming) -> bool:
        if self.broadcast.wants(msg):
            return self.broadcast.handle(msg)
        if msg.channel != CHANNEL or not self.group or msg.address != self.group:
            return self.engine.handle(msg)
        now = self.engine.clock()
        with self.engine.sessions.begin() as session:
            if not record_inbound(session, msg.channel, msg.provider_id, now):
                return False
            wrote = self._answer(session, msg, now)
        if wrote and self.engine.delivery is not None:
            self.engine.delivery.wake()
        return True

    def _answer(self, session: Session, msg: Incoming, now: datetime) -> bool:
        """Act on one staff-group message; True when something went to the outbox."""
        if msg.reply_to is None:
            return False   # staff talking among themselves (or an edit): not for us
        handoff, ours = self._replied_to(session, msg.reply_to)
        if not ours:
            return False   # a reply to a colleague's message
        if msg.sender_id is None or msg.sender_id not in self.staff:
            log.info("staff group: a reply from a user not in [staff] telegram_ids ignored")
            return self._note(session, None, "not_staff", now)
        if handoff is None:
            return self._note(session, None, "unknown", now)
        if handoff.closed_at is not None:
            return self._note(session, handoff.id, "already_closed", now)
        text = msg.text.strip()
        if _DONE.fullmatch(text):
            if not close_handoff(session, handoff.id, msg.sender_id, now):
                return self._note(session, handoff.id, "already_closed", now)
            self.engine.push(session, handoff.resident_id, flow.handed_back, now)
            log.info("hand-off %s closed by staff member %s", handoff.id, msg.sender_id)
            return self._note(session, handoff.id, "closed", now,
                              who=msg.first_name or msg.sender_id)
        if not text:
            return self._note(session, handoff.id, "text_only", now)
        resident = session.get(Resident, handoff.resident_id)
        if resident is not None and resident.channel == "sms" \
                and len(text) > flow.MAX_SMS_ANSWER:
            return self._note(session, handoff.id, "too_long", now, length=len(text),
                              most=flow.MAX_SMS_ANSWER)
        if not self.engine.push(session, handoff.resident_id, flow.staff_says(text), now):
            return self._note(session, handoff.id, "stopped", now)
        noticed(session, handoff.id, now)   # just answered: no "we will answer soon" yet
        return True

    def _replied_to(self, session: Session, message_id: str) -> tuple[Handoff | None, bool]:
        """The hand-off a reply is about, and whether it replied to a message of ours.

        storage/handoffs.py says how: the request's id on the hand-off, else the bot's
        outbox row with that Telegram message id, whose text names the hand-off."""
        found = handoff_by_group_message(session, message_id)
        if found is not None:
            return found, True
        body = group_message_text(session, CHANNEL, self.group, message_id)
        if body is None:
            return None, False
        ref = flow.read_ref(body)
        if ref is None:
            return None, True    # one of the bot's notes
        number, is_request = ref
        handoff = session.get(Handoff, number)
        if handoff is not None and is_request and handoff.group_message_id is None:
            handoff.group_message_id = message_id
        return handoff, True

    def _note(self, session: Session, ref: int | None, what: str, now: datetime,
              **params: object) -> bool:
        enqueue(session, channel=CHANNEL, address=self.group,
                body=flow.staff_note(ref, what, **params), choices=None, now=now)
        return True
