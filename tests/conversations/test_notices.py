"""What a resident is told when staff change their visit (conversations/notices.py),
pushed through the real engine: the texts fit an SMS with their options, and a resident
half-way through something keeps their place."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from conversations import notices
from conversations.gsm7 import is_gsm7, segments
from conversations.messages import CATALOGUES
from conversations.render import render
from conversations.step import Say
from storage.bookings import move_visit
from storage.models import Booking, Slot
from tests.auxil.world import BRUSSELS, World, local

LONG = {"start": datetime(2026, 9, 30, 13, 30, tzinfo=timezone.utc),
        "end": datetime(2026, 9, 30, 15, 0, tzinfo=timezone.utc), "phone": "03 778 30 00",
        "street": "Heilige-Geeststraat 123 bus 45", "postcode": "9100", "topic": "government"}
TIMES = tuple([("1", "option.slot", LONG)] * 3 + [("o", "option.other_day", {})])
WITH_TIMES = [key for key in CATALOGUES["nl"] if key.startswith("notice.")
              and (key.endswith(".offer") or key == "notice.closed")]


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_a_notice_with_three_times_fits_two_sms_segments(language):
    assert len(WITH_TIMES) == 4
    for key in WITH_TIMES:
        [message] = render((Say(key, LONG, TIMES),), language, "sms", BRUSSELS,
                           {"phone": "03 778 30 00"})
        assert is_gsm7(message.body) and segments(message.body) <= 2, (key, message.body)
        assert message.body.endswith("\n4 " + {"nl": "Andere dag", "fr": "Autre jour",
                                                "en": "Another day"}[language])


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_a_notice_and_the_menu_fit_one_sms(language):
    menu = tuple((v, f"option.{v}", {}) for v in ("see", "move", "cancel", "person",
                                                   "another_visit"))
    for key in ("notice.moved", "notice.reassigned"):
        messages = render((Say(key, LONG), Say("notice.menu", {}, menu)), language, "sms",
                          BRUSSELS)
        assert len(messages) == 1 and segments(messages[0].body) <= 2, messages


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach(capacity=5)
    return w


def test_a_resident_booking_another_visit_keeps_their_place(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(seed=3))
    for text in ("2", "2", "1"):   # computer, Wednesday 2 December 13:00, yes
        ann.say(text)
    ann.say(world.cheque(seed=4))   # a second code: the postcode question
    assert ann.state == "ask_postcode"
    later = world.slot_at(local(date(2026, 12, 3), 9))
    with world.sessions.begin() as s:
        visit = s.scalars(select(Booking)).one()
        move_visit(s, visit, later.id, world.clock(), world.engine.reminders)
        sent = world.engine.push(s, visit.resident_id, notices.moved(visit.id),
                                 world.clock())
    assert [m.body for m in sent] == [
        "Let op: de stad heeft uw bezoek verplaatst. De coach komt nu op donderdag "
        "3 december om 09:00.\nWat is uw postcode?"]
    assert ann.state == "ask_postcode"
    ann.say("9100 Markt 3")
    assert ann.state in ("ask_phone", "ask_topic")


def test_slot_closed_offers_times_near_the_visit_for_moving_it(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(seed=3))
    for text in ("2", "2", "1"):   # Wednesday 2 December 13:00
        ann.say(text)
    with world.sessions.begin() as s:
        visit = s.scalars(select(Booking)).one()
        s.get(Slot, visit.slot_id).closed_at = world.clock()
        sent = world.engine.push(s, visit.resident_id, notices.slot_closed(visit.id),
                                 world.clock())
        visit_id = visit.id
    assert sent[0].body == (
        "Sorry, de coach kan op woensdag 2 december om 13:00 niet komen. Kies een ander "
        "moment voor uw bezoek:\n1 wo 2 dec 09:00-10:30\n2 wo 2 dec 15:00-16:30\n"
        "3 do 3 dec 09:00-10:30\n4 Andere dag")
    assert ann.state == "ask_time"
    assert "verplaatsen naar woensdag 2 december van 15:00" in ann.say("2")
    assert "Gelukt" in ann.say("1")
    with world.sessions() as s:
        moved = s.get(Booking, visit_id)
        assert (moved.status, moved.slot.starts_at) == ("booked",
                                                        local(date(2026, 12, 2), 15))
