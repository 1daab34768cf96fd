from datetime import date, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from storage.schedule import ScheduleError, Window, belgian_holidays, cut_window, \
    parse_weekly, plan_slots

BRUSSELS = ZoneInfo("Europe/Brussels")
VISIT, GAP = timedelta(minutes=90), timedelta(minutes=30)
EVERY_DAY = "mon-sun 09:00-10:30"


def local_starts(plan):
    return [(s.starts_at.astimezone(BRUSSELS).date(), s.starts_at.astimezone(BRUSSELS).time())
            for s in plan.spans]


def test_weekly_spec_from_the_brief():
    assert parse_weekly("mon,thu 09:00-12:00; tue 13:00-16:30") == [
        Window(0, time(9), time(12)),
        Window(1, time(13), time(16, 30)),
        Window(3, time(9), time(12)),
    ]


@pytest.mark.parametrize("spec", [
    "ma,do 09:00-12:00",
    "maandag, donderdag 9:00-12:00",
    "Monday,Thursday 09:00 - 12:00",
    "MON;THU 09:00-12:00".replace(";", ",") + " ",
    "mon 09:00-12:00; do 09:00-12:00",
    "ma 09u00-12u00;do 09.00-12.00;",
    "Ma, Do: 09:00-12:00",
])
def test_weekday_names_in_english_and_dutch(spec):
    assert parse_weekly(spec) == [Window(0, time(9), time(12)), Window(3, time(9), time(12))]


def test_day_ranges_and_several_windows_a_day():
    windows = parse_weekly("ma-vr 09:00-12:00, 13:00-16:00; za 10:00-11:30")
    assert len(windows) == 11
    assert windows[0] == Window(0, time(9), time(12))
    assert windows[1] == Window(0, time(13), time(16))
    assert windows[-1] == Window(5, time(10), time(11, 30))
    assert str(windows[-1]) == "sat 10:00-11:30"


@pytest.mark.parametrize("spec, message", [
    ("", "empty"),
    ("  ;  ", "empty"),
    ("mon", "'mon' needs days and hours"),
    ("09:00-12:00", "'09:00-12:00' needs days and hours"),
    ("mon,fr 09:00-12:00", "unknown day 'fr' in 'mon,fr 09:00-12:00'"),
    ("mon 09:00-12:00; xyz 13:00-14:00", "unknown day 'xyz' in 'xyz 13:00-14:00'"),
    ("mon 09:00", "hours '09:00' in 'mon 09:00' are not a time range"),
    ("mon 9-12", "hours '9-12'"),
    ("mon 25:00-26:00", "'25:00-26:00' in 'mon 25:00-26:00' is not a time of day"),
    ("tue 12:00-09:00", "end before they start"),
    ("tue 09:00-09:00", "end before they start"),
    ("fri-mon 09:00-12:00", "'fri-mon' in 'fri-mon 09:00-12:00' runs backwards"),
    ("mon 09:00-12:00; ma 11:00-13:00", "overlap on mon"),
])
def test_bad_weekly_spec_names_the_bad_part(spec, message):
    with pytest.raises(ScheduleError) as info:
        parse_weekly(spec)
    assert message in str(info.value)


def test_slot_fits_wholly_inside_its_window():
    day = date(2026, 12, 3)
    morning = cut_window(day, Window(3, time(9), time(12)), BRUSSELS, VISIT, GAP)
    assert [(s.starts_at.astimezone(BRUSSELS).time(), s.ends_at.astimezone(BRUSSELS).time())
            for s in morning] == [(time(9), time(10, 30))]
    afternoon = cut_window(day, Window(3, time(13), time(16, 30)), BRUSSELS, VISIT, GAP)
    assert [(s.starts_at.astimezone(BRUSSELS).time(), s.ends_at.astimezone(BRUSSELS).time())
            for s in afternoon] == [(time(13), time(14, 30)), (time(15), time(16, 30))]
    no_gap = cut_window(day, Window(3, time(9), time(12)), BRUSSELS, VISIT, timedelta(0))
    assert len(no_gap) == 2


def test_spans_are_aware_utc():
    plan = plan_slots(parse_weekly("tue 09:00-10:30"), date(2026, 12, 1), date(2026, 12, 1),
                      BRUSSELS, VISIT, GAP)
    [span] = plan.spans
    assert span.starts_at.utcoffset() == timedelta(0)
    assert span.starts_at == span.starts_at.replace(tzinfo=timezone.utc)
    assert (span.starts_at.hour, span.ends_at.hour, span.ends_at.minute) == (8, 9, 30)


def test_local_nine_oclock_kept_across_spring_switch_2027():
    # Last Sunday of March 2027 is 28 March: clocks go from +01:00 to +02:00.
    plan = plan_slots(parse_weekly(EVERY_DAY), date(2027, 3, 27), date(2027, 3, 29),
                      BRUSSELS, VISIT, GAP)
    assert local_starts(plan) == [(date(2027, 3, d), time(9)) for d in (27, 28, 29)]
    assert [s.starts_at.hour for s in plan.spans] == [8, 7, 7]
    assert [s.starts_at.astimezone(BRUSSELS).utcoffset() for s in plan.spans] == \
        [timedelta(hours=1), timedelta(hours=2), timedelta(hours=2)]
    assert all(s.ends_at - s.starts_at == VISIT for s in plan.spans)


def test_local_nine_oclock_kept_across_autumn_switch_2026():
    # Last Sunday of October 2026 is 25 October: clocks go from +02:00 back to +01:00.
    plan = plan_slots(parse_weekly(EVERY_DAY), date(2026, 10, 24), date(2026, 10, 26),
                      BRUSSELS, VISIT, GAP)
    assert local_starts(plan) == [(date(2026, 10, d), time(9)) for d in (24, 25, 26)]
    assert [s.starts_at.hour for s in plan.spans] == [7, 8, 8]


def test_local_times_missing_in_spring_switch_get_no_slot():
    plan = plan_slots(parse_weekly("zo 01:30-04:00"), date(2027, 3, 28), date(2027, 3, 28),
                      BRUSSELS, timedelta(minutes=30), timedelta(0))
    assert [t for _, t in local_starts(plan)] == [time(1, 30), time(3), time(3, 30)]


def test_belgian_holidays_are_known():
    found = belgian_holidays(date(2026, 12, 1), date(2027, 4, 30))
    assert found[date(2026, 12, 25)] == "Christmas Day"
    assert found[date(2027, 1, 1)] == "New Year's Day"
    assert found[date(2027, 3, 29)] == "Easter Monday"
    assert date(2026, 11, 11) not in found  # outside the period asked for
    assert belgian_holidays(date(2026, 12, 25), date(2026, 12, 25), language="nl") == \
        {date(2026, 12, 25): "Kerstmis"}


def test_holidays_skipped_and_listed_only_when_they_had_hours():
    first, last = date(2026, 12, 21), date(2027, 1, 3)
    windows = parse_weekly("ma-vr 09:00-10:30")
    skip = belgian_holidays(first, last)
    plan = plan_slots(windows, first, last, BRUSSELS, VISIT, GAP, skip)
    days = [d for d, _ in local_starts(plan)]
    assert date(2026, 12, 25) not in days and date(2027, 1, 1) not in days
    assert len(days) == 8
    assert plan.skipped == [(date(2026, 12, 25), "Christmas Day"),
                            (date(2027, 1, 1), "New Year's Day")]
    # A holiday on a day without hours is not reported.
    plan = plan_slots(parse_weekly("wed 09:00-10:30"), first, last, BRUSSELS, VISIT, GAP, skip)
    assert plan.skipped == [] and len(plan.spans) == 2


def test_easter_monday_skipped_unless_holidays_included():
    first = last = date(2027, 3, 29)
    windows = parse_weekly("mon 09:00-12:00")
    skipped = plan_slots(windows, first, last, BRUSSELS, VISIT, GAP,
                         belgian_holidays(first, last))
    assert skipped.spans == [] and skipped.skipped == [(first, "Easter Monday")]
    included = plan_slots(windows, first, last, BRUSSELS, VISIT, GAP)
    assert local_starts(included) == [(first, time(9))]


def test_same_input_gives_the_same_plan():
    args = (parse_weekly("mon,thu 09:00-12:00; tue 13:00-16:30"), date(2026, 12, 1),
            date(2026, 12, 31), BRUSSELS, VISIT, GAP)
    assert plan_slots(*args).spans == plan_slots(*args).spans


@pytest.mark.parametrize("first, last, visit, gap, message", [
    (date(2026, 12, 2), date(2026, 12, 1), VISIT, GAP, "ends (2026-12-01) before it starts"),
    (date(2026, 1, 1), date(2027, 12, 31), VISIT, GAP, "longer than 400 days"),
    (date(2026, 12, 1), date(2026, 12, 1), timedelta(0), GAP, "more than zero"),
    (date(2026, 12, 1), date(2026, 12, 1), VISIT, -GAP, "cannot be negative"),
])
def test_bad_plan_settings(first, last, visit, gap, message):
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_slots(parse_weekly("mon 09:00-12:00"), first, last, BRUSSELS, visit, gap)
