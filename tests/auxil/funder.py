"""A hand-built city for the funder's numbers (storage.stats, `digicheque stats`).

Rows are written directly, so every count below is known by hand. The moment of the
numbers is NOW, Tuesday 1 December 2026, 09:00 in Brussels. EXPECTED_ALL and
EXPECTED_NOVEMBER give, per (section, figure), the total, the split per channel and the
split per language; each value is worked out in the comments of `build`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from storage.models import Booking, BookingStatus, Cheque, ChequeStatus, Handoff, Outbox, \
    OutboxStatus, Priority, Resident, Slot
from tests.auxil.rows import add_coach, add_slot, at

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


def utc(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def build(sessions: sessionmaker[Session]) -> None:
    """Five residents on SMS and Telegram in Dutch and French, ten cheques, eight visits in
    every state, seven outbox messages, three hand-offs."""
    with sessions.begin() as s:
        def resident(channel: str, language: str, created: datetime, n: int) -> Resident:
            row = Resident(channel=channel, address=f"{channel}-{n}", language=language,
                           created_at=created)
            s.add(row)
            s.flush()
            return row

        r1 = resident("sms", "nl", utc(11, 2), 1)
        r2 = resident("sms", "fr", utc(11, 3), 2)
        r3 = resident("telegram", "nl", utc(11, 5), 3)
        r4 = resident("telegram", "fr", utc(10, 20), 4)
        r5 = resident("telegram", "nl", utc(11, 10), 5)

        def cheque(n: int, created: datetime, *, visits: int = 1, used: int = 0,
                   status: str = ChequeStatus.OPEN, owner: Resident | None = None,
                   expires: date | None = None) -> Cheque:
            row = Cheque(code=f"FUNDR{n:04d}", visits=visits, visits_used=used, status=status,
                         resident_id=owner.id if owner else None, expires_on=expires,
                         created_at=created)
            s.add(row)
            s.flush()
            return row

        c1 = cheque(1, utc(10, 15), used=1, status=ChequeStatus.USED, owner=r1)
        c2 = cheque(2, utc(10, 15), visits=2, used=1, owner=r2)
        c3 = cheque(3, utc(11, 1), used=1, status=ChequeStatus.USED, owner=r3)
        c4 = cheque(4, utc(10, 1), visits=2, used=2, status=ChequeStatus.USED, owner=r4)
        c5 = cheque(5, utc(11, 15), owner=r1, expires=date(2026, 11, 30))  # expired today
        cheque(6, utc(11, 16), expires=date(2026, 11, 20))                  # expired, unbound
        cheque(7, utc(11, 17), status=ChequeStatus.VOID)
        cheque(8, utc(10, 5))
        # 23:30 UTC on 31 October is 00:30 on 1 November in Brussels: a November cheque.
        cheque(9, utc(10, 31, 23, 30), expires=date(2027, 6, 30))
        cheque(10, utc(10, 10), expires=date(2026, 10, 31))                 # expired in Oct

        coach = add_coach(s)

        def slot(day: date) -> Slot:
            return add_slot(s, coach, at(day, 9))   # 09:00 Brussels: 08:00 UTC

        def visit(who: Resident, paid: Cheque, where: Slot, created: datetime, status: str,
                  by: str | None = None, moves: int = 0, confirmed: bool = False) -> None:
            s.add(Booking(resident_id=who.id, cheque_id=paid.id, slot_id=where.id,
                          postcode="9100", street="Kerkstraat 12", phone="+32470111222",
                          topic="smartphone", topic_text="WhatsApp", status=status,
                          outcome_by=by, moves=moves,
                          confirmed_at=created + timedelta(days=1) if confirmed else None,
                          reason="coach ill" if by == "staff" else None,
                          created_at=created, updated_at=created))

        B = BookingStatus
        visit(r1, c1, slot(date(2026, 11, 10)), utc(11, 2, 12), B.DONE, "resident",
              confirmed=True)                                                     # b1
        visit(r2, c2, slot(date(2026, 11, 12)), utc(11, 3, 12), B.NO_SHOW, "coach",
              moves=1)                                                            # b2
        visit(r3, c3, slot(date(2026, 11, 20)), utc(11, 5, 12), B.CANCELLED,
              "resident")                                                         # b3
        visit(r3, c3, slot(date(2026, 12, 3)), utc(11, 6, 12), B.BOOKED, moves=2,
              confirmed=True)                                                     # b4
        visit(r4, c4, slot(date(2026, 10, 28)), utc(10, 21, 12), B.DONE, "auto")  # b5
        visit(r4, c4, slot(date(2026, 11, 25)), utc(11, 1, 12), B.NO_SHOW,
              "resident")                                                         # b6
        visit(r1, c5, slot(date(2026, 12, 10)), utc(11, 20, 12), B.CANCELLED,
              "staff")                                                            # b7
        visit(r2, c2, slot(date(2026, 11, 26)), utc(11, 4, 12), B.BOOKED,
              moves=1)                                                            # b8

        def message(who: Resident, created: datetime, status: str,
                    report: str | None = None, priority: int = Priority.REMINDER) -> None:
            s.add(Outbox(resident_id=who.id, channel=who.channel, address=who.address,
                         body="Herinnering", priority=priority, status=status,
                         next_attempt_at=created, delivery_status=report,
                         created_at=created,
                         sent_at=created if status == OutboxStatus.SENT else None))

        message(r1, utc(11, 9), OutboxStatus.SENT, "delivered")        # o1
        message(r2, utc(11, 11), OutboxStatus.SENT, "undelivered")     # o2
        message(r3, utc(11, 19), OutboxStatus.SENT)                    # o3: Telegram
        message(r4, utc(11, 24), OutboxStatus.FAILED)                  # o4
        message(r3, utc(12, 1, 7), OutboxStatus.PENDING)               # o5: December
        message(r1, utc(11, 9), OutboxStatus.SENT, "delivered",
                priority=Priority.REPLY)                               # a reply: not counted
        message(r2, utc(10, 27), OutboxStatus.SENT, "delivered")       # o7: October

        s.add_all([
            Handoff(resident_id=r5.id, opened_at=utc(11, 10), closed_at=utc(11, 10, 11)),
            Handoff(resident_id=r2.id, opened_at=utc(11, 28)),
            Handoff(resident_id=r1.id, opened_at=utc(10, 30), closed_at=utc(11, 2)),
        ])


def fig(total: Any, channels: dict[str, Any], languages: dict[str, Any]) -> dict[str, Any]:
    """A figure's expected value; channels sms, telegram, none and languages fr, nl, none
    not given are 0 (counts) or None (medians, rates: give them)."""
    return {"total": total, "by_channel": channels, "by_language": languages}


def c(sms: Any = 0, telegram: Any = 0, none: Any = 0) -> dict[str, Any]:
    return {"sms": sms, "telegram": telegram, "none": none}


def lang(fr: Any = 0, nl: Any = 0, none: Any = 0) -> dict[str, Any]:
    return {"fr": fr, "nl": nl, "none": none}


# Residents: r1 sms nl, r2 sms fr, r3 telegram nl, r4 telegram fr, r5 telegram nl.
EXPECTED_ALL: dict[tuple[str, str], dict[str, Any]] = {
    # c1..c10; bound: c1 r1, c2 r2, c3 r3, c4 r4, c5 r1; unbound c6..c10 (none)
    ("cheques", "issued"): fig(10, c(3, 2, 5), lang(2, 3, 5)),
    ("cheques", "redeemed"): fig(5, c(3, 2), lang(2, 3)),
    ("cheques", "fully_used"): fig(3, c(1, 2), lang(1, 2)),            # c1, c3, c4
    ("cheques", "expired"): fig(3, c(1, 0, 2), lang(0, 1, 2)),         # c5, c6, c10
    ("cheques", "void"): fig(1, c(0, 0, 1), lang(0, 0, 1)),            # c7
    # b1 sms nl, b2 sms fr, b3 tg nl, b4 tg nl, b5 tg fr, b6 tg fr, b7 sms nl, b8 sms fr
    ("visits", "booked"): fig(8, c(4, 4), lang(4, 4)),
    ("visits", "moved"): fig(3, c(2, 1), lang(2, 1)),                  # b2, b4, b8
    ("visits", "moves"): fig(4, c(2, 2), lang(2, 2)),
    ("visits", "confirmed"): fig(2, c(1, 1), lang(0, 2)),              # b1, b4
    ("visits", "cancelled"): fig(2, c(1, 1), lang(0, 2)),              # b3, b7
    ("visits", "cancelled_by_resident"): fig(1, c(0, 1), lang(0, 1)),  # b3
    ("visits", "cancelled_by_staff"): fig(1, c(1, 0), lang(0, 1)),     # b7
    ("visits", "done"): fig(2, c(1, 1), lang(1, 1)),                   # b1, b5
    ("visits", "done_assumed"): fig(1, c(0, 1), lang(1, 0)),           # b5
    ("visits", "no_show"): fig(2, c(1, 1), lang(2, 0)),                # b2, b6
    ("visits", "no_show_by_coach"): fig(1, c(1, 0), lang(1, 0)),       # b2
    ("visits", "no_show_by_resident"): fig(1, c(0, 1), lang(1, 0)),    # b6
    ("visits", "to_come"): fig(1, c(0, 1), lang(0, 1)),                # b4
    ("visits", "awaiting_outcome"): fig(1, c(1, 0), lang(1, 0)),       # b8
    # first visit not cancelled: r1 7.9 days, r2 8.9, r3 27.9 (b3 cancelled), r4 7.9
    ("waiting", "residents_with_first_visit"): fig(4, c(2, 2), lang(2, 2)),
    ("waiting", "median_days_to_first_visit"): fig(7.5, c(7.5, 17.0, None),
                                                   lang(7.5, 17.0, None)),
    # o1 sms nl sent+delivered, o2 sms fr sent+undelivered, o3 tg nl sent, o4 tg fr failed,
    # o5 tg nl pending, o7 sms fr sent+delivered
    ("reminders", "queued"): fig(6, c(3, 3), lang(3, 3)),
    ("reminders", "sent"): fig(4, c(3, 1), lang(2, 2)),
    ("reminders", "failed"): fig(1, c(0, 1), lang(1, 0)),
    ("reminders", "waiting"): fig(1, c(0, 1), lang(0, 1)),
    ("reminders", "sent_rate"): fig(80.0, c(100.0, 50.0, None), lang(66.7, 100.0, None)),
    ("reminders", "delivered"): fig(2, c(2, 0), lang(1, 1)),
    ("reminders", "undelivered"): fig(1, c(1, 0), lang(1, 0)),
    ("reminders", "delivered_rate"): fig(66.7, c(66.7, None, None), lang(50.0, 100.0, None)),
    # h1 r5 tg nl (Nov, closed Nov), h2 r2 sms fr (Nov, open), h3 r1 sms nl (Oct, closed Nov)
    ("handoffs", "opened"): fig(3, c(2, 1), lang(1, 2)),
    ("handoffs", "closed"): fig(2, c(1, 1), lang(0, 2)),
    ("handoffs", "still_open"): fig(1, c(1, 0), lang(1, 0)),
}

EXPECTED_NOVEMBER: dict[tuple[str, str], dict[str, Any]] = {
    # issued in local November: c3, c5, c6, c7, c9 (00:30 on 1 November in Brussels)
    ("cheques", "issued"): fig(5, c(1, 1, 3), lang(0, 2, 3)),
    ("cheques", "redeemed"): fig(4, c(3, 1), lang(1, 3)),              # not c4 (October)
    ("cheques", "fully_used"): fig(3, c(1, 2), lang(1, 2)),            # c4's last: 1 Nov
    ("cheques", "expired"): fig(2, c(1, 0, 1), lang(0, 1, 1)),         # c5, c6; not c10
    ("cheques", "void"): fig(1, c(0, 0, 1), lang(0, 0, 1)),
    # slots in November: b1, b2, b3, b6, b8
    ("visits", "booked"): fig(5, c(3, 2), lang(3, 2)),
    ("visits", "moved"): fig(2, c(2, 0), lang(2, 0)),                  # b2, b8
    ("visits", "moves"): fig(2, c(2, 0), lang(2, 0)),
    ("visits", "confirmed"): fig(1, c(1, 0), lang(0, 1)),
    ("visits", "cancelled"): fig(1, c(0, 1), lang(0, 1)),
    ("visits", "cancelled_by_resident"): fig(1, c(0, 1), lang(0, 1)),
    ("visits", "cancelled_by_staff"): fig(0, c(), lang()),
    ("visits", "done"): fig(1, c(1, 0), lang(0, 1)),
    ("visits", "done_assumed"): fig(0, c(), lang()),
    ("visits", "no_show"): fig(2, c(1, 1), lang(2, 0)),
    ("visits", "no_show_by_coach"): fig(1, c(1, 0), lang(1, 0)),
    ("visits", "no_show_by_resident"): fig(1, c(0, 1), lang(1, 0)),
    ("visits", "to_come"): fig(0, c(), lang()),
    ("visits", "awaiting_outcome"): fig(1, c(1, 0), lang(1, 0)),
    ("waiting", "residents_with_first_visit"): fig(2, c(2, 0), lang(1, 1)),   # r1, r2
    ("waiting", "median_days_to_first_visit"): fig(7.5, c(7.5, None, None),
                                                   lang(8.0, 7.0, None)),
    ("reminders", "queued"): fig(4, c(2, 2), lang(2, 2)),              # o1..o4
    ("reminders", "sent"): fig(3, c(2, 1), lang(1, 2)),
    ("reminders", "failed"): fig(1, c(0, 1), lang(1, 0)),
    ("reminders", "waiting"): fig(0, c(), lang()),
    ("reminders", "sent_rate"): fig(75.0, c(100.0, 50.0, None), lang(50.0, 100.0, None)),
    ("reminders", "delivered"): fig(1, c(1, 0), lang(0, 1)),
    ("reminders", "undelivered"): fig(1, c(1, 0), lang(1, 0)),
    ("reminders", "delivered_rate"): fig(50.0, c(50.0, None, None), lang(0.0, 100.0, None)),
    ("handoffs", "opened"): fig(2, c(1, 1), lang(1, 1)),               # h1, h2
    ("handoffs", "closed"): fig(2, c(1, 1), lang(0, 2)),               # h1, h3
    ("handoffs", "still_open"): fig(1, c(1, 0), lang(1, 0)),
}
