"""What a resident is told when staff change their visit (moved, another coach, called
off, a no-show recorded, the coach cannot come), and where the conversation goes on.

Each function here builds a prompt for `Engine.push`: a pure `(ctx, state, data) -> Step`
like any handler, so the answer to the notice is understood by the existing states:
the visit menu, or choosing a time (ASK_TIME) for moving the visit or booking a new one
with the cheque's visit that came back. No state of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from conversations.answers import visit_params
from conversations.choosing import ask_confirm, free_times, offer, offer_first
from conversations.states import MID_BOOKING, State, ask_in, to_menu
from conversations.step import BookingView, Context, Say, SlotView, Step
from conversations.visit import menu_options

NoticePrompt = Callable[[Context, "str | None", dict[str, Any]], Step]
"""A prompt for Engine.push: the resident's conversation state and data in, a Step out."""

# How far around the visit that cannot go ahead we look for the nearest free times.
NEAR = timedelta(days=14)


def _state_of(state: str | None) -> State | None:
    return State(state) if state is not None and state in State.__members__.values() \
        else None


def _then(ctx: Context, state: str | None, data: dict[str, Any], notice: Say) -> Step:
    """The notice, then where the resident goes on.

    A resident half-way through booking another visit keeps their place (the notice,
    then their question again); so does one waiting for a staff member (their next
    message still goes to staff); anyone else gets the visit menu, its options shown
    with the notice, or the code question when no visit is left.
    """
    current = _state_of(state)
    if current == State.HANDOFF:
        return Step((notice,), current, data)
    if current is not None and current in MID_BOOKING and data.get("mode") != "move" \
            and data.get("cheque_id"):
        if current == State.ASK_TIME:
            step = offer_first(ctx, data)
            return Step((notice, *step.replies), step.state, step.data)
        if current == State.CONFIRM and not (data.get("slot_id") and
                                             ctx.slot(int(data["slot_id"]))):
            step = offer_first(ctx, data)
            return Step((notice, *step.replies), step.state, step.data)
        question = ask_confirm(ctx, data) if current == State.CONFIRM \
            else ask_in(current, ctx, data)
        return Step((notice, *question), current, data)
    if ctx.bookings():
        return Step((notice, Say("notice.menu", {}, menu_options(ctx))), State.MENU, {})
    step = to_menu(ctx)
    return Step((notice,), step.state, step.data)


def _booking(ctx: Context, booking_id: int) -> BookingView | None:
    return next((b for b in ctx.bookings() if b.id == booking_id), None)


def moved(booking_id: int) -> NoticePrompt:
    """Staff moved the visit: the new day and time, and the visit menu."""
    def make(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
        booking = _booking(ctx, booking_id)
        if booking is None:   # over already: nothing to say about it
            return _then(ctx, state, data, Say("notice.changed", {"phone":
                                                                  ctx.rules.city_phone}))
        return _then(ctx, state, data, Say("notice.moved", visit_params(booking.slot,
                                                                         booking)))
    return make


def reassigned(booking_id: int) -> NoticePrompt:
    """The visit stands, at the same time, with another coach."""
    def make(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
        booking = _booking(ctx, booking_id)
        if booking is None:
            return _then(ctx, state, data, Say("notice.changed", {"phone":
                                                                  ctx.rules.city_phone}))
        return _then(ctx, state, data, Say("notice.reassigned", visit_params(booking.slot,
                                                                             booking)))
    return make


def called_off(key: str, start: datetime, end: datetime,
               rebook: dict[str, Any] | None) -> NoticePrompt:
    """The visit will not take place (cancelled by staff, a no-show recorded).

    `key` is the notice: "notice.cancelled", "notice.no_show_coach" or
    "notice.no_show_resident". With `rebook` (the cheque's visit came back: cheque_id,
    visits_left, postcode, street, phone, topic, topic_text) the notice offers new times
    as a numbered choice, and the resident's answer books one with that cheque;
    without it, the notice says whom to call.
    """
    def make(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
        params = {"start": start, "end": end, "phone": ctx.rules.city_phone}
        if rebook is None:
            return _then(ctx, state, data, Say(key, params))
        book = dict(rebook)
        if ctx.bookings():   # never offer the time of a visit they still have
            book["busy"] = True
        slots = free_times(ctx, book, limit=ctx.rules.choices_offered)
        return _offering(ctx, book, slots, Say(f"{key}.offer", params),
                         Say(f"{key}.none", params))
    return make


def slot_closed(booking_id: int) -> NoticePrompt:
    """The coach cannot come: the nearest free times to move the visit to, as a choice.

    The conversation goes to choosing a time for moving this visit (mode move), so the
    resident's "1" picks the first time offered, as when they move it themselves.
    """
    def make(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
        booking = _booking(ctx, booking_id)
        if booking is None:   # over already, or cancelled meanwhile
            return _then(ctx, state, data, Say("notice.changed", {"phone":
                                                                  ctx.rules.city_phone}))
        move = {"mode": "move", "booking_id": booking.id}
        params = {**visit_params(booking.slot, booking), "phone": ctx.rules.city_phone}
        return _offering(ctx, move, nearest(ctx, move, booking.slot.starts_at),
                         Say("notice.closed", params), Say("notice.closed.none", params))
    return make


def nearest(ctx: Context, data: dict[str, Any], moment: datetime) -> list[SlotView]:
    """The free times closest to `moment` (before or after), in time order."""
    count = ctx.rules.choices_offered
    near = free_times(ctx, data, moment - NEAR, moment + NEAR)
    if not near:
        return free_times(ctx, data, limit=count)
    near.sort(key=lambda s: (abs((s.starts_at - moment).total_seconds()), s.starts_at))
    return sorted(near[:count], key=lambda s: (s.starts_at, s.id))


def _offering(ctx: Context, data: dict[str, Any], slots: list[SlotView], notice: Say,
              none: Say) -> Step:
    """The notice with the times as its numbered options, in the time-choosing state;
    with no time free, the notice says so, and their next message looks again."""
    if not slots:
        return Step((none,), State.ASK_TIME, {**data, "offers": []})
    step = offer(ctx, data, slots, "time.offer")
    return Step((Say(notice.key, notice.params, step.replies[0].options),), step.state,
                step.data)
