"""The funder's numbers, counted by the database: a hand-built city on SQLite and
PostgreSQL, every figure asserted, split by channel and language."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.jobs import purge
from storage.models import Booking, Outbox, OutboxStatus, Priority, ReminderTally, Resident
from storage.stats import Period, Stats, collect, keep_reminder_counts, median
from tests.auxil.funder import EXPECTED_ALL, EXPECTED_NOVEMBER, NOVEMBER, NOW, build
from tests.auxil.rows import BRUSSELS
from tests.auxil.threads import at_once


def numbers(sessions, first=None, last=None, now=NOW) -> Stats:
    with sessions() as s:
        return collect(s, Period(first, last, BRUSSELS), now)


def every_figure(stats: Stats) -> dict:
    return {(section.name, figure.name): stats.split(figure)
            for section in stats.sections for figure in section.figures}


def test_every_figure_of_the_city(sessions):
    build(sessions)
    stats = numbers(sessions)
    assert stats.channels == ["sms", "telegram", "none"]
    assert stats.languages == ["fr", "nl", "none"]
    assert every_figure(stats) == EXPECTED_ALL


def test_the_period_counts_each_event_by_its_own_local_day(sessions):
    build(sessions)
    assert every_figure(numbers(sessions, *NOVEMBER)) == EXPECTED_NOVEMBER


def test_open_ended_periods_split_the_year_without_gap_or_overlap(sessions):
    build(sessions)
    before = numbers(sessions, last=date(2026, 10, 31))
    after = numbers(sessions, first=date(2026, 11, 1))
    everything = numbers(sessions)
    for section in everything.sections:
        for figure in section.figures:
            if figure.kind == "count":
                split = before.figure(section.name, figure.name).value() + \
                    after.figure(section.name, figure.name).value()
                assert split == figure.value(), (section.name, figure.name)
    # cheque 9, created 23:30 UTC on 31 October, is a 1 November cheque in Brussels
    assert before.figure("cheques", "issued").value() == 5
    assert after.figure("cheques", "issued").value() == 5


def test_visit_states_add_up_to_the_visits_booked(sessions):
    build(sessions)
    for stats in (numbers(sessions), numbers(sessions, *NOVEMBER)):
        value = {f.name: f.value() for f in stats.section("visits").figures}
        assert value["booked"] == (value["cancelled"] + value["done"] + value["no_show"]
                                   + value["to_come"] + value["awaiting_outcome"])


def test_still_to_come_depends_on_the_moment(sessions):
    build(sessions)
    later = numbers(sessions, now=NOW + timedelta(days=5))   # after b4's 3 December
    assert later.figure("visits", "to_come").value() == 0
    assert later.figure("visits", "awaiting_outcome").value() == 2


def test_an_empty_database_has_zeros_and_no_data(sessions):
    stats = numbers(sessions)
    assert stats.channels == [] and stats.languages == []
    for section in stats.sections:
        for figure in section.figures:
            expected = 0 if figure.kind == "count" else None
            assert stats.split(figure) == {"total": expected, "by_channel": {},
                                           "by_language": {}}, figure.name


def test_the_numbers_survive_the_privacy_purge(sessions):
    build(sessions)
    far = NOW + timedelta(days=200)
    result = purge(sessions, Settings(), far)
    assert result.addresses_erased == 8 and result.messages == 6
    with sessions() as s:
        assert set(s.scalars(select(Booking.street))) == {""}
        assert set(s.scalars(select(Booking.phone))) == {""}
        assert s.scalar(select(func.count()).select_from(Outbox)) == 1   # o5, never sent
    after = every_figure(numbers(sessions))
    for key, expected in EXPECTED_ALL.items():   # reminders too: counted before deleting
        assert after[key] == expected, key
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReminderTally)) > 0
    purge(sessions, Settings(), far)             # a second purge counts nothing twice
    assert every_figure(numbers(sessions)) == after


def test_purged_reminders_count_in_the_period_of_their_day(sessions):
    build(sessions)
    before = {day: every_figure(numbers(sessions, day, day))
              for day in (NOW.date() - timedelta(days=1), NOW.date(),
                          NOW.date() + timedelta(days=1))}
    purge(sessions, Settings(), NOW + timedelta(days=200))
    for day, expected in before.items():
        after = every_figure(numbers(sessions, day, day))
        assert {k: v for k, v in after.items() if k[0] == "reminders"} == \
            {k: v for k, v in expected.items() if k[0] == "reminders"}, day


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="starts"):
        Period(date(2026, 12, 2), date(2026, 12, 1), BRUSSELS)


@pytest.mark.parametrize("histogram, expected", [
    ({}, None), ({7: 1}, 7), ({7: 1, 8: 1}, 7.5), ({7: 2, 8: 1, 27: 1}, 7.5),
    ({1: 3, 100: 1}, 1), ({0: 1, 2: 1, 9: 1}, 2)])
def test_median_from_a_histogram(histogram, expected):
    assert median(histogram) == expected


def test_two_purges_at_once_count_each_reminder_once(sessions):
    """Two workers' purges at the same moment (threads, each its own connection): every
    reminder is counted once, by whichever purge deleted it."""
    build(sessions)
    expected = every_figure(numbers(sessions))
    at_once(lambda _: purge(sessions, Settings(), NOW + timedelta(days=200)), 2)
    assert every_figure(numbers(sessions)) == expected


def test_a_day_purged_in_two_rounds_adds_up(sessions):
    """A purge that cuts a day in two, then one that takes the rest: one day's counts."""
    morning = datetime(2026, 11, 10, 8, 0, tzinfo=timezone.utc)
    with sessions.begin() as s:
        ann = Resident(channel="sms", address="+32470111222", language="fr",
                       created_at=morning, wrong_codes=0)
        s.add(ann)
        s.flush()
        for hours, report in ((0, "delivered"), (4, "undelivered"), (8, None)):
            s.add(Outbox(resident_id=ann.id, channel="sms", address=ann.address, body="x",
                         priority=Priority.REMINDER, status=OutboxStatus.SENT,
                         next_attempt_at=morning, created_at=morning + timedelta(hours=hours),
                         delivery_status=report))
    with sessions.begin() as s:
        assert keep_reminder_counts(s, morning + timedelta(hours=5), BRUSSELS) == 2
    with sessions.begin() as s:
        assert keep_reminder_counts(s, morning + timedelta(days=1), BRUSSELS) == 1
    with sessions() as s:
        [tally] = s.scalars(select(ReminderTally)).all()
    assert (tally.day, tally.channel, tally.language, tally.queued, tally.sent,
            tally.failed, tally.delivered, tally.undelivered) == (
        date(2026, 11, 10), "sms", "fr", 3, 3, 0, 1, 1)
