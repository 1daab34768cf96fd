"""One inbound message -> one transaction -> replies in the outbox (G1, G2, G3, G4).

The engine is the only part of conversations/ that touches storage/: it records the
provider id (a redelivery is a no-op), locks the resident, serves the flows' read
interface, applies their effects, renders the replies into the outbox and commits.
Nothing is sent here: the sender delivers what was committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conversations import effects as fx
from conversations import flows
from conversations import handoff as handoff_flow
from conversations.codes import CodeFormat
from conversations.incoming import Incoming
from conversations.render import render
from conversations.step import HandoffView
from conversations.step import (
    BookingView,
    ChequeView,
    OpenQuestion,
    Rules,
    Say,
    SlotView,
    Step,
    today,
)
from storage.bookings import (
    BookingRefused,
    ReminderPolicy,
    Upcoming,
    book_visit,
    cancel_visit,
    change_phone,
    confirm_visit,
    move_visit,
    record_outcome,
    upcoming_bookings,
)
from storage import codes as cheque_codes
from storage.cheques import cheque_state, find_cheque
from storage.clock import Clock
from storage.models import (
    Booking,
    BookingStatus,
    Conversation,
    Outbox,
    OutboxStatus,
    Priority,
    Resident,
    Slot,
)
from storage.outbox import Claim, OutboxMessage, enqueue
from storage.residents import (
    codes_locked,
    count_wrong_code,
    lock_resident,
    lock_resident_by_id,
    record_inbound,
    recent_wrong_codes,
    save_conversation,
)
from storage.handoffs import close_handoff, noticed, open_handoff, open_handoff_of
from storage.slots import free_slot_times
from storage.timers import open_question

log = logging.getLogger(__name__)


def _booking_view(b: Upcoming) -> BookingView:
    return BookingView(b.id, SlotView(b.slot_id, b.starts_at, b.ends_at), b.postcode,
                       b.street, b.phone, b.topic, b.topic_text, b.cheque_id, b.visits_left)


def _slot_view(slot: Slot) -> SlotView:
    return SlotView(id=slot.id, starts_at=slot.starts_at, ends_at=slot.ends_at)


class DbContext:
    """The flows' read interface (step.Context), served inside the message's transaction."""

    def __init__(self, session: Session, resident: Resident, rules: Rules, now: datetime,
                 form: str, since: datetime | None = None):
        self.session, self.resident, self.rules, self.now = session, resident, rules, now
        self.channel, self.address = form, resident.address
        self.language = resident.language
        self.wrong_codes = recent_wrong_codes(resident, now, rules.code_window)
        self.codes_locked = codes_locked(resident, now)
        self.codes: CodeFormat = cheque_codes   # the code's format, for reading codes
        self._bookings: list[BookingView] | None = None
        # The message in hand, for a hand-off's request to staff (set by process).
        self.first_name: str | None = None
        self.said = ""
        self.earlier: list[dict[str, str]] = []   # their messages before this one
        self.told_staff = False   # a message to the staff group was written
        # The resident's last message (their conversation's last change): a reminder
        # sent after it is still to be answered. None: nothing is open (a push).
        self.since = since
        self._question: tuple[OpenQuestion | None] | None = None

    def find_cheque(self, code: str) -> ChequeView | None:
        cheque = find_cheque(self.session, code)
        if cheque is None:
            return None
        state = str(cheque_state(cheque, today(self)))
        if state == "ok" and cheque.resident_id not in (None, self.resident.id):
            state = "taken"
        return ChequeView(cheque.id, state, cheque.visits - cheque.visits_used)

    def free_slots(self, start: datetime, end: datetime, postcode: str | None,
                   exclude: int | None = None, limit: int | None = None) -> list[SlotView]:
        rows = free_slot_times(self.session, start, end, postcode,
                               None if limit is None else limit + 1)  # +1: the excluded one
        views = [SlotView(i, a, b) for i, a, b in rows if i != exclude]
        return views[:limit] if limit is not None else views

    def slot(self, slot_id: int) -> SlotView | None:
        slot = self.session.get(Slot, slot_id)
        return _slot_view(slot) if slot is not None else None

    def slots(self, slot_ids: list[int]) -> list[SlotView]:
        if not slot_ids:
            return []
        rows = self.session.execute(select(Slot.id, Slot.starts_at, Slot.ends_at)
                                    .where(Slot.id.in_(slot_ids))).all()
        by_id = {row[0]: SlotView(row[0], row[1], row[2]) for row in rows}
        return [by_id[i] for i in slot_ids if i in by_id]

    def booking(self) -> BookingView | None:
        found = self.bookings()
        return found[0] if found else None

    def bookings(self) -> list[BookingView]:
        if self._bookings is None:
            self._bookings = [_booking_view(b) for b in upcoming_bookings(
                self.session, self.resident.id, self.now, today(self))]
        return self._bookings

    def open_question(self) -> OpenQuestion | None:
        if self.since is None:
            return None
        if self._question is None:
            asked = open_question(self.session, self.resident.id, self.since, self.now,
                                  today(self))
            self._question = (None if asked is None
                              else OpenQuestion(asked.kind, _booking_view(asked.visit)),)
        return self._question[0]

    def handoff(self) -> HandoffView | None:
        found = open_handoff_of(self.session, self.resident.id)
        return None if found is None else HandoffView(found.id, found.opened_at,
                                                      found.last_notice_at)

    def forget_booking(self) -> None:
        self._bookings = None
        self._question = None


@dataclass
class Outcome:
    """What handling one message did (for callers and tests)."""

    duplicate: bool
    resident_id: int | None = None
    state: str | None = None
    outbox_ids: tuple[int, ...] = ()


Prompt = Callable[[DbContext, str | None, dict[str, Any]], Step]
"""What to tell a resident unasked, given their conversation's state and data (push)."""


class Delivery(Protocol):
    """The outbox sender of this process, as the engine sees it (bot.sender.Sender)."""

    def claim(self, channel: str, now: datetime) -> Claim | None:
        """A claim to write this channel's replies under, if this process sends them."""

    def take(self, messages: Sequence[OutboxMessage]) -> None:
        """Committed messages claimed for this sender: deliver them. Any thread."""

    def wake(self) -> None:
        """Unclaimed messages were committed: look in the outbox. Any thread."""


class Engine:
    def __init__(self, sessions: sessionmaker[Session], rules: Rules, clock: Clock,
                 delivery: Delivery | None = None, console_form: str = "sms") -> None:
        self.sessions, self.rules, self.clock = sessions, rules, clock
        self.delivery = delivery
        # How a channel shows messages; the console imitates SMS or Telegram.
        self.forms = {"sms": "sms", "telegram": "telegram", "console": console_form}
        self.reminders = ReminderPolicy(rules.reminder_offsets, rules.quiet_hours, rules.tz,
                                        rules.followup_at)

    def handle(self, msg: Incoming) -> bool:
        """Handle one message in one transaction; False when it was a redelivery."""
        return not self.process(msg).duplicate

    def process(self, msg: Incoming) -> Outcome:
        now = self.clock()
        with self.sessions.begin() as session:
            if not record_inbound(session, msg.channel, msg.provider_id, now):
                return Outcome(duplicate=True)
            language = msg.language_hint if msg.language_hint in self.rules.languages \
                else self.rules.default_language
            resident, conversation = lock_resident(session, msg.channel, msg.address,
                                                   language, now)
            form = self.forms.get(resident.channel, resident.channel)
            # Reminders sent since the resident's last message may be answered by this
            # one; with no conversation (forgotten), those of the last `forget_after`.
            since = conversation.updated_at if conversation is not None \
                else now - self.rules.forget_after
            ctx = DbContext(session, resident, self.rules, now, form, since)
            ctx.first_name, ctx.said = msg.first_name, msg.text
            ctx.earlier, said_in = _remembered(conversation, now)
            step = self._step(ctx, conversation, msg, now)
            step = self._apply(ctx, step, now)
            # A resident who stopped is remembered by their STOP alone.
            recent = [] if step.state == flows.State.STOPPED else \
                handoff_flow.remember(ctx.earlier, msg.text, msg.kind, said_in, now)
            save_conversation(session, resident.id, str(step.state), step.data, now,
                              now + self.rules.forget_after, recent)
            # The replies go to this process's sender already claimed, so it can send
            # them as soon as we commit, without a claim transaction of its own.
            claim = self.delivery.claim(resident.channel, now) if self.delivery else None
            queued = self.write_outbox(session, resident, step.replies, now, claim=claim)
        if queued and self.delivery is not None:
            if claim is not None:
                self.delivery.take(queued)
            else:
                self.delivery.wake()
        if ctx.told_staff and self.delivery is not None:
            self.delivery.wake()   # the staff group's rows were written unclaimed
        return Outcome(duplicate=False, resident_id=resident.id, state=step.state,
                       outbox_ids=tuple(m.id for m in queued))

    def push(self, session: Session, resident_id: int, make: Prompt, now: datetime,
             priority: int = Priority.REPLY) -> tuple[OutboxMessage, ...]:
        """A message the resident did not ask for (staff moved their visit, a slot was
        closed), in the caller's transaction: the resident is locked like for an inbound
        message (G3), `make` says what to tell them and where the conversation goes on
        (so their answer is understood), its effects are applied and the replies written
        to the outbox; the sender picks them up once the caller commits.

        `make` gets the conversation's current state and data (None and {} when there
        is none, or it was forgotten) and returns a Step like any handler. A resident who
        stopped is told nothing: the result is empty, so the caller can say so.
        """
        resident, conversation = lock_resident_by_id(session, resident_id)
        if resident.opted_out_at is not None:
            return ()   # stopped: told nothing, and their conversation stays stopped
        ctx = DbContext(session, resident, self.rules, now,
                        self.forms.get(resident.channel, resident.channel))
        state: str | None = None
        data: dict[str, Any] = {}
        if conversation is not None and (conversation.expires_at is None
                                         or conversation.expires_at > now):
            state, data = conversation.state, dict(conversation.data or {})
        step = self._apply(ctx, make(ctx, state, data), now)
        save_conversation(session, resident.id, str(step.state), step.data, now,
                          now + self.rules.forget_after)
        return self.write_outbox(session, resident, step.replies, now, priority)

    def _step(self, ctx: DbContext, conversation: Conversation | None, msg: Incoming,
              now: datetime) -> Step:
        state: str | None = None
        data: dict[str, Any] = {}
        idle = None
        if conversation is not None and (
                conversation.expires_at is None or conversation.expires_at > now
                or conversation.state == flows.State.STOPPED):
            state, data = conversation.state, dict(conversation.data or {})
            idle = now - conversation.updated_at
        if ctx.resident.opted_out_at is not None and state != flows.State.STOPPED:
            # Opted out by the provider (blocked the bot, carrier STOP), not by our own
            # confirmed stop: writing to us again is the way back in.
            ctx.resident.opted_out_at = None
        try:
            return flows.step(ctx, state, data, msg.text, msg.kind, idle)
        except Exception:  # the safety net: a bug must not leave a resident unanswered
            log.exception("flow failed in state %s; answering with the question again", state)
            return _safety_net(ctx, state, data)

    def _apply(self, ctx: DbContext, step: Step, now: datetime) -> Step:
        """Make the step's effects true; a refused one is turned back into a new step."""
        session, resident = ctx.session, ctx.resident
        for effect in step.effects:
            try:
                if isinstance(effect, fx.WrongCodeEntered):
                    count_wrong_code(resident, now, self.rules.code_attempts,
                                     self.rules.code_window, self.rules.code_lockout)
                elif isinstance(effect, fx.LanguageChosen):
                    resident.language = effect.language
                elif isinstance(effect, fx.OptedOut):
                    resident.opted_out_at = now
                elif isinstance(effect, fx.OptedIn):
                    resident.opted_out_at = None
                elif isinstance(effect, fx.VisitBooked):
                    self._book(ctx, effect, now)
                elif isinstance(effect, fx.VisitMoved):
                    self._move(ctx, effect, now)
                elif isinstance(effect, fx.VisitCancelled):
                    booking = session.get(Booking, effect.booking_id)
                    if booking is None:
                        raise BookingRefused("booking_changed")
                    cancel_visit(session, booking, now)
                elif isinstance(effect, fx.PhoneChanged):
                    change_phone(session, effect.booking_id, effect.phone, now)
                elif isinstance(effect, (fx.HandoffRequested, fx.ForwardedToStaff,
                                         fx.HandoffNoticed, fx.HandoffLeft)):
                    self._handoff(ctx, effect, now)
                elif isinstance(effect, fx.VisitConfirmed):
                    if not confirm_visit(session, effect.booking_id, now):
                        raise BookingRefused("booking_changed")
                elif isinstance(effect, fx.VisitOutcomeSaid):
                    record_outcome(session, effect.booking_id, BookingStatus(effect.status),
                                   effect.by, now, give_back=effect.give_back)
            except BookingRefused as refused:
                ctx.forget_booking()
                log.info("effect %s refused: %s", type(effect).__name__, refused.reason)
                prior = getattr(effect, "slot_id", None)
                before = _data_before(step, effect, prior)
                if isinstance(effect, fx.VisitMoved):   # which of several visits
                    before["booking_id"] = effect.booking_id
                return flows.after_failure(ctx, fx.EffectFailed(effect, refused.reason),
                                           before)
        ctx.forget_booking()
        return step

    def _handoff(self, ctx: DbContext,
                 effect: fx.HandoffRequested | fx.ForwardedToStaff | fx.HandoffNoticed
                 | fx.HandoffLeft, now: datetime) -> None:
        """A hand-off opened, a message forwarded, a notice given: rows in the handoffs
        table, and messages to the staff group through the outbox like any other (G1)."""
        group, resident = self.rules.staff_group, ctx.resident
        if not group:   # the group was removed from the config meanwhile
            return
        if isinstance(effect, fx.HandoffNoticed):
            found = open_handoff_of(ctx.session, resident.id)
            if found is not None:
                noticed(ctx.session, found.id, now)
            return
        if isinstance(effect, fx.HandoffRequested):
            handoff, _ = open_handoff(ctx.session, resident.id, now)
            body = handoff_flow.request_text(
                handoff.id, name=ctx.first_name, channel=resident.channel,
                address=resident.address, language=resident.language, where=effect.where,
                said=ctx.said, bookings=ctx.bookings(), tz=self.rules.tz,
                earlier=ctx.earlier)
        else:
            found = open_handoff_of(ctx.session, resident.id)
            if found is None:   # closed meanwhile: the flow saw it open, staff did not
                return
            if isinstance(effect, fx.HandoffLeft):
                close_handoff(ctx.session, found.id, "resident", now)
                body = handoff_flow.staff_note(found.id, "left",
                                               who=ctx.first_name or "de bewoner")
            else:
                body = handoff_flow.forward_text(found.id, ctx.first_name, effect.text,
                                                 effect.kind)
        # resident_id None: the row is the group's, not the resident's (their opt-out,
        # their console, their messages are theirs alone).
        enqueue(ctx.session, channel="telegram", address=group, body=body, choices=None,
                now=now)
        ctx.told_staff = True

    def _book(self, ctx: DbContext, effect: fx.VisitBooked, now: datetime) -> None:
        def book(slot_id: int) -> None:
            book_visit(ctx.session, resident_id=ctx.resident.id, cheque_id=effect.cheque_id,
                       slot_id=slot_id, postcode=effect.postcode, street=effect.street,
                       phone=effect.phone, topic=effect.topic, topic_text=effect.topic_text,
                       now=now, today=today(ctx), reminders=self.reminders)
        _at_same_time(ctx, effect.slot_id, effect.postcode, book)

    def _move(self, ctx: DbContext, effect: fx.VisitMoved, now: datetime) -> None:
        booking = ctx.session.get(Booking, effect.booking_id)
        if booking is None:
            raise BookingRefused("booking_changed")
        found = booking

        def move(slot_id: int) -> None:
            move_visit(ctx.session, found, slot_id, now, self.reminders)
        _at_same_time(ctx, effect.slot_id, booking.postcode, move)

    def write_outbox(self, session: Session, resident: Resident, replies: tuple[Say, ...],
                     now: datetime, priority: int = Priority.REPLY,
                     claim: Claim | None = None) -> tuple[OutboxMessage, ...]:
        """Render replies in the resident's language and channel form into the outbox."""
        form = self.forms.get(resident.channel, resident.channel)
        rendered = render(replies, resident.language, form, self.rules.tz,
                          {"phone": self.rules.city_phone, "city": self.rules.city_name})
        return tuple(enqueue(session, channel=resident.channel, address=resident.address,
                             body=r.body, choices=list(r.choices) or None, now=now,
                             resident_id=resident.id, priority=priority, claim=claim)
                     for r in rendered)


def _remembered(conversation: Conversation | None, now: datetime
                ) -> tuple[list[dict[str, str]], str | None]:
    """The resident's last messages and the state this one arrives in, unless their
    conversation was forgotten (then none, and the start)."""
    if conversation is None or (conversation.expires_at is not None
                                and conversation.expires_at <= now):
        return [], None
    return list(conversation.recent or []), conversation.state


def _safety_net(ctx: DbContext, state: str | None, data: dict[str, Any]) -> Step:
    """Sorry, and the question the resident was at (G7); if even asking it fails, the
    city's phone number, and the resident stays where they were."""
    current = flows.State(state) if state is not None \
        and state in flows.State.__members__.values() else flows.State.ASK_CODE
    try:
        question = flows.FLOW[current].ask(ctx, data)
    except Exception:
        log.exception("asking the question of state %s failed too", current)
        question = (Say("person", {"phone": ctx.rules.city_phone}),)
    return Step((Say("error.sorry"), *question), current, data)


def _at_same_time(ctx: DbContext, slot_id: int, postcode: str,
                  take: Callable[[int], None]) -> None:
    """Take the chosen slot, or another coach's at the very same time if it went meanwhile.

    The resident chose a time, not a coach; only when no coach is free then does the
    refusal reach them.
    """
    try:
        take(slot_id)
    except BookingRefused as refused:
        chosen = ctx.session.get(Slot, slot_id)
        if refused.reason != "slot_taken" or chosen is None:
            raise
        same = [row for row in free_slot_times(ctx.session, chosen.starts_at,
                                               chosen.starts_at + timedelta(seconds=1),
                                               postcode)
                if row[2] == chosen.ends_at and row[0] != slot_id]
        if not same:
            raise
        take(same[0][0])


def _data_before(step: Step, effect: object, slot_id: int | None) -> dict[str, Any]:
    """The data the flow had when it asked for the refused effect (to offer alternatives)."""
    if isinstance(effect, fx.VisitBooked):
        return {"cheque_id": effect.cheque_id, "postcode": effect.postcode,
                "street": effect.street, "phone": effect.phone, "topic": effect.topic,
                "topic_text": effect.topic_text, "slot_id": slot_id, "mode": "book"}
    if isinstance(effect, fx.VisitMoved):
        return {"mode": "move", "slot_id": slot_id}
    return dict(step.data)


def pending_for(session: Session, resident_id: int) -> list[Outbox]:
    """A resident's unsent messages, oldest first (the console channel delivers these)."""
    return list(session.scalars(
        select(Outbox).where(Outbox.resident_id == resident_id,
                             Outbox.status == OutboxStatus.PENDING).order_by(Outbox.id)))
