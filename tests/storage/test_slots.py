from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from storage.models import Booking, BookingStatus, Slot
from storage.schedule import Span, parse_weekly, plan_slots
from storage.slots import booked_visits, close_slots, coach_by_name, free_slot_times, \
    free_slots, list_slots, release_seat, reopen_slots, take_seat, upsert_slots
from tests.auxil.rows import BRUSSELS, UTC, add_booking, add_coach, add_slot, at
from tests.auxil.threads import at_once


def slot_count(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Slot)) or 0


# ---------------------------------------------------------------------------- upsert

def test_upsert_is_idempotent(sessions):
    plan = plan_slots(parse_weekly("mon,thu 09:00-12:00; tue 13:00-16:30"),
                      date(2026, 12, 1), date(2026, 12, 31), BRUSSELS,
                      timedelta(minutes=90), timedelta(minutes=30))
    with sessions.begin() as s:
        coach = add_coach(s)
        assert upsert_slots(s, coach.id, plan.spans) == (len(plan.spans), 0)
    assert slot_count(sessions) == len(plan.spans) == 19  # 9 mon/thu + 5 tue x 2
    with sessions.begin() as s:
        assert upsert_slots(s, coach.id, plan.spans) == (0, len(plan.spans))
    assert slot_count(sessions) == 19


def test_upsert_adds_only_what_is_missing_and_keeps_existing_slots(sessions):
    day = date(2026, 12, 1)
    spans = [Span(at(day, h), at(day, h) + timedelta(minutes=90)) for h in (9, 11, 13)]
    with sessions.begin() as s:
        coach = add_coach(s)
        other = add_coach(s, "Bo")
        add_slot(s, coach, at(day, 9), capacity=3, booked=2)
        assert upsert_slots(s, coach.id, spans, capacity=1) == (2, 1)
        assert upsert_slots(s, other.id, spans) == (3, 0)  # same times, another coach
    with sessions() as s:
        kept = s.scalars(select(Slot).where(Slot.coach_id == coach.id,
                                            Slot.starts_at == at(day, 9))).one()
        assert (kept.capacity, kept.booked) == (3, 2)
    assert slot_count(sessions) == 6


def test_upsert_many_slots_in_chunks(sessions):
    start = at(date(2026, 12, 1), 0)
    spans = [Span(start + timedelta(minutes=15 * i), start + timedelta(minutes=15 * i + 10))
             for i in range(1200)]
    with sessions.begin() as s:
        coach = add_coach(s)
        assert upsert_slots(s, coach.id, spans) == (1200, 0)
        assert upsert_slots(s, coach.id, spans[:700]) == (0, 700)
    assert slot_count(sessions) == 1200


def test_generated_slots_keep_local_time_in_the_database(sessions):
    plan = plan_slots(parse_weekly("mon-sun 09:00-10:30"), date(2026, 10, 24),
                      date(2026, 10, 26), BRUSSELS, timedelta(minutes=90), timedelta(0))
    with sessions.begin() as s:
        upsert_slots(s, add_coach(s).id, plan.spans)
    with sessions() as s:
        stored = list(s.scalars(select(Slot).order_by(Slot.starts_at)))
    assert [x.starts_at.utcoffset() for x in stored] == [timedelta(0)] * 3
    assert [x.starts_at.astimezone(BRUSSELS).time() for x in stored] == [time(9)] * 3
    assert [x.starts_at.hour for x in stored] == [7, 8, 8]


# ---------------------------------------------------------------------------- reading

def test_coach_by_name_ignores_case_and_spaces(sessions):
    with sessions.begin() as s:
        add_coach(s, "An Peeters")
    with sessions() as s:
        assert coach_by_name(s, "  an PEETERS ").name == "An Peeters"
        assert coach_by_name(s, "An") is None


def test_free_slots_only_open_with_seat_active_coach_in_order(sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        gone = add_coach(s, "Gone", active=False)
        late = add_slot(s, an, at(day, 15))
        early = add_slot(s, bo, at(day, 9))
        group = add_slot(s, an, at(day, 11), capacity=3, booked=2)
        add_slot(s, an, at(day, 13), booked=1)                     # full
        add_slot(s, bo, at(day, 13), closed=True)                  # closed
        add_slot(s, gone, at(day, 10))                             # coach removed
        add_slot(s, an, at(day + timedelta(days=1), 9))            # outside the range
        ids = [early.id, group.id, late.id]
    start, end = at(day, 0), at(day + timedelta(days=1), 0)
    with sessions() as s:
        found = free_slots(s, start, end)
        assert [x.id for x in found] == ids
        assert [x.coach.name for x in found] == ["Bo", "An", "An"]
        assert [x.id for x in free_slots(s, start, end, limit=2)] == ids[:2]
        assert free_slots(s, at(day, 9, 1), at(day, 11)) == []


def test_free_slots_respect_the_coach_postcodes(sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        everywhere = add_slot(s, add_coach(s, "All", postcodes=""), at(day, 9))
        north = add_slot(s, add_coach(s, "North", postcodes="9100,9111"), at(day, 10))
        south = add_slot(s, add_coach(s, "South", postcodes="9112"), at(day, 11))
    start, end = at(day, 0), at(day, 23)
    with sessions() as s:
        def ids(postcode):
            return [x.id for x in free_slots(s, start, end, postcode=postcode)]
        assert ids(None) == [everywhere.id, north.id, south.id]
        assert ids("9111") == [everywhere.id, north.id]
        assert ids("9100") == [everywhere.id, north.id]
        assert ids("9112") == [everywhere.id, south.id]
        assert ids("911") == [everywhere.id]
        assert ids("9%") == [everywhere.id]


def test_list_slots_filters(sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        a1 = add_slot(s, an, at(day, 9))
        a2 = add_slot(s, an, at(day, 11), booked=1)
        b1 = add_slot(s, bo, at(day, 9), closed=True)
    start, end = at(day, 0), at(day, 23)
    with sessions() as s:
        assert [x.id for x in list_slots(s, start, end)] == [a1.id, b1.id, a2.id]
        assert [x.id for x in list_slots(s, start, end, coach_id=an.id)] == [a1.id, a2.id]
        assert [x.id for x in list_slots(s, start, end, free_only=True)] == [a1.id]


def test_booked_visits_is_the_agenda(sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        b_late = add_booking(s, add_slot(s, bo, at(day, 13)))
        a_late = add_booking(s, add_slot(s, an, at(day, 13)))
        a_early = add_booking(s, add_slot(s, an, at(day, 9)))
        add_booking(s, add_slot(s, an, at(day, 11)), status=BookingStatus.CANCELLED)
        add_booking(s, add_slot(s, an, at(day + timedelta(days=1), 9)))
    with sessions() as s:
        found = booked_visits(s, at(day, 0), at(day + timedelta(days=1), 0))
        assert [b.id for b in found] == [a_early.id, a_late.id, b_late.id]
        assert found[0].slot.coach.name == "An"
        assert [b.id for b in booked_visits(s, at(day, 0), at(day, 23), coach_id=bo.id)] == \
            [b_late.id]
        assert len(booked_visits(s, at(day, 12))) == 3  # open-ended: everything from noon


# ---------------------------------------------------------------------------- seats (G4)

def booked_of(sessions, slot_id) -> int:
    with sessions() as s:
        return s.get(Slot, slot_id).booked


def test_take_seat_stops_at_capacity(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9), capacity=2)
    results = []
    for _ in range(3):
        with sessions.begin() as s:
            results.append(take_seat(s, slot.id))
    assert results == [True, True, False]
    assert booked_of(sessions, slot.id) == 2


def test_closed_or_missing_slot_cannot_be_taken(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9), capacity=2, closed=True)
    with sessions.begin() as s:
        assert take_seat(s, slot.id) is False
        assert take_seat(s, slot.id + 1000) is False
    assert booked_of(sessions, slot.id) == 0


def test_slot_of_a_removed_coach_cannot_be_taken(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s, active=False), at(date(2026, 12, 1), 9))
    with sessions.begin() as s:
        assert take_seat(s, slot.id) is False
    assert booked_of(sessions, slot.id) == 0


def test_take_seat_refreshes_a_slot_loaded_in_the_session(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9), capacity=2)
    with sessions.begin() as s:
        loaded = s.get(Slot, slot.id)
        assert loaded.booked == 0
        assert take_seat(s, slot.id)
        assert loaded.booked == 1
        release_seat(s, slot.id)
        assert loaded.booked == 0


def test_release_seat_gives_a_seat_back_never_below_zero(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9), capacity=1, booked=1)
    with sessions.begin() as s:
        assert take_seat(s, slot.id) is False
        release_seat(s, slot.id)
        assert take_seat(s, slot.id) is True
    with sessions.begin() as s:
        release_seat(s, slot.id)
        release_seat(s, slot.id)
    assert booked_of(sessions, slot.id) == 0


def test_take_seat_rolled_back_with_its_transaction(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9))
    with sessions() as s:
        assert take_seat(s, slot.id)
        s.rollback()
    assert booked_of(sessions, slot.id) == 0


def test_concurrent_take_seat_never_overbooks(sessions):
    with sessions.begin() as s:
        slot = add_slot(s, add_coach(s), at(date(2026, 12, 1), 9), capacity=5)

    def book(_: int) -> bool:
        with sessions.begin() as s:
            return take_seat(s, slot.id)

    results = at_once(book, 20)
    assert sorted(results) == [False] * 15 + [True] * 5
    assert booked_of(sessions, slot.id) == 5


# ---------------------------------------------------------------------------- closing

def test_close_slots_marks_range_and_lists_booked_visits(sessions):
    day = date(2026, 12, 1)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        s9, s11, s13 = (add_slot(s, an, at(day, h)) for h in (9, 11, 13))
        s_next_day = add_slot(s, an, at(day + timedelta(days=1), 9))
        bo9 = add_slot(s, bo, at(day, 9))
        visit = add_booking(s, s11, phone="+32470999888", street="Markt 1")
        add_booking(s, s9, status=BookingStatus.CANCELLED)
        add_booking(s, bo9)
    with sessions.begin() as s:
        # 10:00-13:00 overlaps the 09:00-10:30 and 11:00-12:30 slots, not the 13:00 one.
        result = close_slots(s, an.id, at(day, 10), at(day, 13), "ill", now)
    assert (result.closed, result.already_closed) == (2, 0)
    assert [b.id for b in result.bookings] == [visit.id]
    assert result.bookings[0].phone == "+32470999888"
    assert result.bookings[0].slot.starts_at == at(day, 11)
    with sessions() as s:
        state = {x.id: (x.closed_at, x.closed_reason) for x in s.scalars(select(Slot))}
        assert s.get(Booking, visit.id).status == BookingStatus.BOOKED
    assert state[s9.id] == (now, "ill") and state[s11.id] == (now, "ill")
    assert state[s13.id] == (None, None)
    assert state[s_next_day.id] == (None, None)
    assert state[bo9.id] == (None, None)
    with sessions() as s:
        # bo9 is full, s9 and s11 closed: only 13:00 is offered.
        assert [x.id for x in free_slots(s, at(day, 0), at(day, 23))] == [s13.id]


def test_close_again_keeps_the_first_reason_and_still_lists_visits(sessions):
    day = date(2026, 12, 1)
    first, later = (datetime(2026, 11, d, 12, 0, tzinfo=UTC) for d in (29, 30))
    with sessions.begin() as s:
        an = add_coach(s)
        slot = add_slot(s, an, at(day, 9))
        visit = add_booking(s, slot)
        close_slots(s, an.id, at(day, 0), at(day, 23), "ill", first)
    with sessions.begin() as s:
        result = close_slots(s, an.id, at(day, 0), at(day, 23), "holiday", later)
        assert (result.closed, result.already_closed) == (0, 1)
        assert [b.id for b in result.bookings] == [visit.id]
    with sessions() as s:
        stored = s.get(Slot, slot.id)
        assert (stored.closed_at, stored.closed_reason) == (first, "ill")


def test_reopen_slots(sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an = add_coach(s)
        slot = add_slot(s, an, at(day, 9), closed=True)
        add_slot(s, an, at(day, 13))
    with sessions.begin() as s:
        assert reopen_slots(s, an.id, at(day, 0), at(day, 23)) == 1
    with sessions() as s:
        assert s.get(Slot, slot.id).closed_at is None
        assert take_seat(s, slot.id)


def test_free_slot_times_agrees_with_free_slots(sessions):
    """The prepared row query the conversation uses selects the times free_slots has."""
    day = date(2026, 12, 7)
    with sessions.begin() as s:
        everywhere = add_coach(s, "Everywhere")
        north = add_coach(s, "North", postcodes="9111,9112")
        gone = add_coach(s, "Gone", active=False)
        for hour, coach in ((9, everywhere), (10, north), (11, gone), (12, north)):
            add_slot(s, coach, at(day, hour))
        add_slot(s, everywhere, at(day, 13), capacity=1, booked=1)
        add_slot(s, everywhere, at(day, 14), closed=True)
    start, end = at(day, 0), at(day + timedelta(days=1), 0)
    with sessions() as s:
        for postcode in (None, "9100", "9111", "9112", " 9112 ", "91", "9%", "_111"):
            expected = [(x.id, x.starts_at, x.ends_at)   # all different times here
                        for x in free_slots(s, start, end, postcode)]
            assert free_slot_times(s, start, end, postcode) == expected, postcode
            assert free_slot_times(s, start, end, postcode, limit=1) == expected[:1]
        assert [t[1] for t in free_slot_times(s, start, end, "9111")] == \
            [at(day, 9), at(day, 10), at(day, 12)]
        assert [t[1] for t in free_slot_times(s, start, end, "9100")] == [at(day, 9)]


def test_free_slot_times_gives_each_time_once(sessions):
    """Three coaches free at 09:00 are one choice for a resident, not three."""
    day = date(2026, 12, 7)
    with sessions.begin() as s:
        ids = [add_slot(s, add_coach(s, name), at(day, 9)).id for name in ("A", "B", "C")]
        later = add_slot(s, add_coach(s, "D"), at(day, 11)).id
    with sessions() as s:
        times = free_slot_times(s, at(day, 0), at(day, 23), "9100", limit=2)
    assert [(t[0], t[1]) for t in times] == [(min(ids), at(day, 9)), (later, at(day, 11))]
