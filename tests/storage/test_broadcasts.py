"""Broadcasts (storage.broadcasts) on SQLite and PostgreSQL: who each audience selects,
the preview, sending in bulk, firing once with several workers, cancelling, progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage import broadcasts
from conversations.gsm7 import SmsSize, sms_size
from storage.broadcasts import Audience, BroadcastError
from storage.models import (
    Booking,
    BookingStatus,
    Broadcast,
    BroadcastStatus,
    Cheque,
    Outbox,
    OutboxStatus,
    Priority,
    Resident,
)
from tests.auxil.rows import add_coach, add_slot, at
from tests.auxil.threads import at_once

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)   # Tue 1 Dec 2026, 09:00 Brussels
TEXTS = {"nl": "Het stadhuis is dicht op 24 december.",
         "fr": "L'hotel de ville est ferme le 24 decembre."}


class Town:
    """A hand-made population: name -> resident id."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.ids: dict[str, int] = {}
        self.coach = add_coach(session, "An")
        self.hour = 8

    def resident(self, name: str, channel: str = "telegram", language: str = "nl",
                 opted_out: bool = False) -> Resident:
        address = f"+3247{len(self.ids):07d}" if channel == "sms" else str(100 + len(self.ids))
        resident = Resident(channel=channel, address=address, language=language,
                            created_at=NOW - timedelta(days=30),
                            opted_out_at=NOW - timedelta(days=1) if opted_out else None)
        self.s.add(resident)
        self.s.flush()
        self.ids[name] = resident.id
        return resident

    def cheque(self, resident: Resident, visits: int = 1, used: int = 0,
               expires: date | None = None, status: str = "open") -> Cheque:
        cheque = Cheque(code=f"C{len(self.ids):03d}{self.hour:05d}", visits=visits,
                        visits_used=used, expires_on=expires, resident_id=resident.id,
                        status=status, created_at=NOW - timedelta(days=20))
        self.hour += 1
        self.s.add(cheque)
        self.s.flush()
        return cheque

    def visit(self, resident: Resident, cheque: Cheque, day: date,
              status: str = BookingStatus.BOOKED) -> Booking:
        coach = add_coach(self.s, f"Coach {self.hour}")   # no two slots clash
        slot = add_slot(self.s, coach, at(day, 10),
                        booked=1 if status == BookingStatus.BOOKED else 0)
        self.hour += 1
        booking = Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                          postcode="9100", street="Kerkstraat 1", phone="+32470000000",
                          topic="smartphone", status=status, created_at=NOW, updated_at=NOW)
        self.s.add(booking)
        self.s.flush()
        return booking


def build(session: Session) -> dict[str, int]:
    t = Town(session)
    dec3, dec10, nov20 = date(2026, 12, 3), date(2026, 12, 10), date(2026, 11, 20)
    # Never got a cheque accepted or a visit booked.
    t.resident("unfinished_tg_nl")
    t.resident("unfinished_sms_fr", "sms", "fr")
    t.resident("unfinished_console_nl", "console")
    # A visit to come.
    r = t.resident("upcoming_tg_fr", "telegram", "fr")
    t.visit(r, t.cheque(r, used=1), dec3)
    r = t.resident("upcoming_sms_nl_late", "sms", "nl")
    t.visit(r, t.cheque(r, used=1), dec10)
    r = t.resident("upcoming_with_visit_left", "telegram", "en")
    t.visit(r, t.cheque(r, visits=2, used=1), dec3)
    # Today, but earlier than now: not to come.
    r = t.resident("visit_this_morning", "sms", "en")
    c = t.cheque(r, used=1)
    session.add(Booking(resident_id=r.id, cheque_id=c.id,
                        slot_id=add_slot(session, t.coach, NOW - timedelta(hours=1)).id,
                        postcode="9100", street="x", phone="x", topic="email",
                        created_at=NOW, updated_at=NOW))
    # A redeemed cheque with a visit left and no visit to come.
    r = t.resident("unbooked_tg_en", "telegram", "en")
    t.cheque(r, visits=2)
    r = t.resident("unbooked_after_one_done", "sms", "nl")
    t.visit(r, t.cheque(r, visits=2, used=1), nov20, BookingStatus.DONE)
    r = t.resident("unbooked_after_cancel", "telegram", "nl")
    t.visit(r, t.cheque(r), dec10, BookingStatus.CANCELLED)
    # In none of the three narrower audiences.
    r = t.resident("used_up", "sms", "en")
    t.visit(r, t.cheque(r, used=1, status="used"), nov20, BookingStatus.DONE)
    r = t.resident("expired_cheque", "console", "nl")
    t.cheque(r, expires=date(2026, 11, 30))
    r = t.resident("void_cheque", "telegram", "nl")
    t.cheque(r, status="void")
    # Opted out: never anyone's audience.
    t.resident("out_unfinished", "sms", "nl", opted_out=True)
    r = t.resident("out_upcoming", "telegram", "nl", opted_out=True)
    t.visit(r, t.cheque(r, used=1), dec3)
    r = t.resident("out_unbooked", "telegram", "fr", opted_out=True)
    t.cheque(r)
    return t.ids


@pytest.fixture
def town(sessions) -> dict[str, int]:
    with sessions.begin() as s:
        return build(s)


def chosen(sessions, town, audience: Audience) -> set[str]:
    names = {v: k for k, v in town.items()}
    with sessions() as s:
        return {names[i] for i in broadcasts.recipients(s, audience, NOW)}


def test_all_is_everyone_not_opted_out(sessions, town):
    assert chosen(sessions, town, Audience("all")) == {
        n for n in town if not n.startswith("out_")}


def test_upcoming_is_a_booked_visit_still_to_come(sessions, town):
    assert chosen(sessions, town, Audience("upcoming")) == {
        "upcoming_tg_fr", "upcoming_sms_nl_late", "upcoming_with_visit_left"}
    on_days = Audience("upcoming", first_day=date(2026, 12, 1), last_day=date(2026, 12, 3))
    assert chosen(sessions, town, on_days) == {"upcoming_tg_fr", "upcoming_with_visit_left"}
    assert chosen(sessions, town, Audience("upcoming", first_day=date(2026, 12, 4))) == {
        "upcoming_sms_nl_late"}
    assert chosen(sessions, town, Audience("upcoming", last_day=date(2026, 12, 2))) == set()


def test_unbooked_is_a_redeemed_cheque_with_visits_left_and_no_visit_to_come(sessions, town):
    assert chosen(sessions, town, Audience("unbooked")) == {
        "unbooked_tg_en", "unbooked_after_one_done", "unbooked_after_cancel"}


def test_unfinished_never_booked_nor_redeemed(sessions, town):
    assert chosen(sessions, town, Audience("unfinished")) == {
        "unfinished_tg_nl", "unfinished_sms_fr", "unfinished_console_nl"}


def test_channel_and_language_narrow_every_audience(sessions, town):
    assert chosen(sessions, town, Audience("all", channel="sms")) == {
        "unfinished_sms_fr", "upcoming_sms_nl_late", "visit_this_morning",
        "unbooked_after_one_done", "used_up"}
    assert chosen(sessions, town, Audience("all", channel="sms", language="en")) == {
        "visit_this_morning", "used_up"}
    assert chosen(sessions, town, Audience("upcoming", language="fr")) == {"upcoming_tg_fr"}
    assert chosen(sessions, town, Audience("unbooked", channel="telegram")) == {
        "unbooked_tg_en", "unbooked_after_cancel"}
    assert chosen(sessions, town, Audience("unfinished", channel="sms", language="nl")) \
        == set()


def test_bad_audiences_are_refused_in_one_line():
    for make, says in [(lambda: Audience("everyone"), "unknown audience 'everyone'"),
                       (lambda: Audience("all", channel="fax"), "unknown channel"),
                       (lambda: Audience("all", language="de"), "unknown language"),
                       (lambda: Audience("all", first_day=date(2026, 12, 1)), "only"),
                       (lambda: Audience("upcoming", first_day=date(2026, 12, 5),
                                         last_day=date(2026, 12, 4)), "after")]:
        with pytest.raises(BroadcastError, match=says):
            make()


def test_preview_counts_per_channel_and_language_and_their_text(sessions, town):
    with sessions() as s:
        shown = broadcasts.preview(s, Audience("all"), {**TEXTS, "en": None}, NOW)
    groups = {(g.channel, g.language): (g.count, g.text_language, g.text)
              for g in shown.groups}
    assert groups == {
        ("console", "nl"): (2, "nl", TEXTS["nl"]),
        ("sms", "en"): (2, "nl", TEXTS["nl"]),       # no English text: Dutch
        ("sms", "fr"): (1, "fr", TEXTS["fr"]),
        ("sms", "nl"): (2, "nl", TEXTS["nl"]),
        ("telegram", "en"): (2, "nl", TEXTS["nl"]),
        ("telegram", "fr"): (1, "fr", TEXTS["fr"]),
        ("telegram", "nl"): (3, "nl", TEXTS["nl"]),
    }
    assert shown.total == 13
    assert {lang: (size.encoding, size.segments) for lang, size in
            ((lang, sms_size(text)) for lang, text in shown.texts.items())} \
        == {"nl": ("GSM-7", 1), "fr": ("GSM-7", 1)}


def test_sms_size_encoding_and_segments():
    assert sms_size("a" * 160) == SmsSize("GSM-7", 1)
    assert sms_size("a" * 161) == SmsSize("GSM-7", 2)
    assert sms_size("€" * 80) == SmsSize("GSM-7", 1)     # two septets each
    assert sms_size("€" * 81) == SmsSize("GSM-7", 2)
    assert sms_size("ë" * 70) == SmsSize("UCS-2", 1)
    assert sms_size("ë" * 71) == SmsSize("UCS-2", 2)
    assert sms_size("ë" * 135) == SmsSize("UCS-2", 3)
    assert sms_size("ë" * 135).too_long and not sms_size("a" * 306).too_long
    assert sms_size("a" * 307).too_long


def test_texts_need_dutch_and_no_empty_one(sessions, town):
    with sessions.begin() as s:
        for texts, says in [({"nl": "  "}, "nl text is empty"),
                            ({"fr": "Bonjour"}, "Dutch text"),
                            ({"nl": "Hallo", "fr": ""}, "fr text is empty")]:
            with pytest.raises(BroadcastError, match=says):
                broadcasts.create(s, texts=texts, audience=Audience("all"), now=NOW)
        with pytest.raises(BroadcastError, match="in the past"):
            broadcasts.create(s, texts=TEXTS, audience=Audience("all"), now=NOW,
                              at=NOW - timedelta(hours=1))


def outbox_rows(sessions) -> list[Outbox]:
    with sessions() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def test_send_queues_one_row_per_recipient_in_their_language(sessions, town):
    with sessions.begin() as s:
        b = broadcasts.create(s, texts=TEXTS, audience=Audience("unfinished"), now=NOW,
                              created_by="staff")
        bid = b.id
        assert broadcasts.send(s, bid, NOW) == 3
        assert broadcasts.send(s, bid, NOW) is None   # fires once
    rows = outbox_rows(sessions)
    by_resident = {r.resident_id: r for r in rows}
    assert set(by_resident) == {town["unfinished_tg_nl"], town["unfinished_sms_fr"],
                                town["unfinished_console_nl"]}
    assert by_resident[town["unfinished_sms_fr"]].body == TEXTS["fr"]
    assert by_resident[town["unfinished_tg_nl"]].body == TEXTS["nl"]
    with sessions() as s:
        for r in rows:
            resident = s.get(Resident, r.resident_id)
            assert resident is not None
            assert (r.channel, r.address) == (resident.channel, resident.address)
    assert {(r.priority, r.status, r.broadcast_id, r.attempts, r.next_attempt_at)
            for r in rows} == {(Priority.BROADCAST, OutboxStatus.PENDING, bid, 0, NOW)}
    with sessions() as s:
        stored = s.get(Broadcast, bid)
        assert stored is not None
        assert (stored.status, stored.recipients, stored.started_at) == (
            BroadcastStatus.SENDING, 3, NOW)


def test_a_scheduled_broadcast_waits_for_its_moment(sessions, town):
    later = NOW + timedelta(hours=2)
    with sessions.begin() as s:
        bid = broadcasts.create(s, texts=TEXTS, audience=Audience("upcoming"), now=NOW,
                                at=later).id
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, later - timedelta(seconds=1)) == []
    assert outbox_rows(sessions) == []
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, later) == [bid]
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, later + timedelta(hours=1)) == []
    assert len(outbox_rows(sessions)) == 3


def test_fire_scheduled_is_the_periodic_jobs_turn_and_wakes_after_commit(sessions, town):
    with sessions.begin() as s:
        broadcasts.create(s, texts=TEXTS, audience=Audience("unbooked"), now=NOW,
                          at=NOW + timedelta(minutes=10))
    woken: list[int] = []

    def wake() -> None:   # what the sender would find at that moment
        woken.append(len(outbox_rows(sessions)))

    assert broadcasts.fire_scheduled(sessions, NOW, wake=wake) == \
        "0 broadcasts fired, 0 messages queued"
    assert woken == []
    assert broadcasts.fire_scheduled(sessions, NOW + timedelta(minutes=10), wake=wake) == \
        "1 broadcasts fired, 3 messages queued"
    assert woken == [3]


def test_fire_due_fires_once_with_two_workers_at_once(sessions, town):
    with sessions.begin() as s:
        ids = [broadcasts.create(s, texts=TEXTS, audience=Audience("all"), now=NOW,
                                 at=NOW + timedelta(minutes=m)).id for m in (1, 2)]
    def work(_: int) -> list[int]:
        with sessions.begin() as s:
            return broadcasts.fire_due(s, NOW + timedelta(minutes=5))

    fired = [i for got in at_once(work, 2) for i in got]
    assert sorted(fired) == ids
    with sessions() as s:
        counts = dict(s.execute(select(Outbox.broadcast_id, func.count())
                                .group_by(Outbox.broadcast_id)).tuples().all())
    assert counts == {ids[0]: 13, ids[1]: 13}


def test_cancel_stops_what_was_not_sent_and_keeps_what_was(sessions, town):
    with sessions.begin() as s:
        bid = broadcasts.create(s, texts=TEXTS, audience=Audience("all"), now=NOW).id
        broadcasts.send(s, bid, NOW)
    rows = outbox_rows(sessions)
    sent, held = rows[:4], rows[4:6]
    with sessions.begin() as s:
        s.execute(update(Outbox).where(Outbox.id.in_([r.id for r in sent]))
                  .values(status=OutboxStatus.SENT, sent_at=NOW))
        s.execute(update(Outbox).where(Outbox.id.in_([r.id for r in held]))
                  .values(status=OutboxStatus.SENDING, claimed_by="w",
                          claimed_until=NOW + timedelta(minutes=1)))
    with sessions.begin() as s:
        assert broadcasts.cancel(s, bid, NOW).stopped == 9
    with sessions.begin() as s:
        with pytest.raises(BroadcastError, match="already cancelled"):
            broadcasts.cancel(s, bid, NOW)
        with pytest.raises(BroadcastError, match="no broadcast with id 999"):
            broadcasts.cancel(s, 999, NOW)
    after = {r.id: r.status for r in outbox_rows(sessions)}
    assert [after[r.id] for r in sent] == [OutboxStatus.SENT] * 4
    assert [after[r.id] for r in rows[4:]] == [OutboxStatus.CANCELLED] * 9
    with sessions() as s:
        progress = broadcasts.status(s, bid)
    assert (progress.status, progress.recipients, progress.pending, progress.sent,
            progress.cancelled, progress.failed) == ("cancelled", 13, 0, 4, 9, 0)


def test_a_cancelled_scheduled_broadcast_never_fires(sessions, town):
    with sessions.begin() as s:
        bid = broadcasts.create(s, texts=TEXTS, audience=Audience("all"), now=NOW,
                                at=NOW + timedelta(hours=1)).id
    with sessions.begin() as s:
        assert broadcasts.cancel(s, bid, NOW).stopped == 0
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, NOW + timedelta(hours=2)) == []
    assert outbox_rows(sessions) == []


def test_status_counts_delivered_failed_and_opted_out_since(sessions, town):
    with sessions.begin() as s:
        bid = broadcasts.create(s, texts=TEXTS, audience=Audience("all", channel="sms"),
                                now=NOW).id
        broadcasts.send(s, bid, NOW)
    rows = outbox_rows(sessions)
    assert len(rows) == 5
    with sessions.begin() as s:
        s.execute(update(Outbox).where(Outbox.id.in_([rows[0].id, rows[1].id]))
                  .values(status=OutboxStatus.SENT, delivery_status="delivered"))
        s.execute(update(Outbox).where(Outbox.id == rows[2].id)
                  .values(status=OutboxStatus.SENT, delivery_status="sent"))
        s.execute(update(Outbox).where(Outbox.id == rows[3].id)
                  .values(status=OutboxStatus.FAILED))
        s.execute(update(Resident).where(Resident.id == rows[3].resident_id)
                  .values(opted_out_at=NOW + timedelta(minutes=5)))
    with sessions() as s:
        p = broadcasts.status(s, bid)
    assert (p.recipients, p.pending, p.sent, p.delivered, p.failed, p.cancelled,
            p.opted_out) == (5, 1, 3, 2, 1, 0, 1)


def test_the_purge_deletes_finished_messages_and_the_counts_stay(sessions, town):
    """The privacy purge deletes a broadcast's sent, failed and cancelled messages (they
    hold addresses) once they are old; `status` says the same before and after."""
    with sessions.begin() as s:
        bid = broadcasts.create(s, texts=TEXTS, audience=Audience("all", channel="sms"),
                                now=NOW).id
        broadcasts.send(s, bid, NOW)
    rows = outbox_rows(sessions)
    with sessions.begin() as s:
        s.execute(update(Outbox).where(Outbox.id.in_([rows[0].id, rows[1].id]))
                  .values(status=OutboxStatus.SENT, delivery_status="delivered"))
        s.execute(update(Outbox).where(Outbox.id == rows[2].id)
                  .values(status=OutboxStatus.FAILED))
        broadcasts.cancel(s, bid, NOW)
        other = broadcasts.create(s, texts=TEXTS, audience=Audience("all", channel="sms"),
                                  now=NOW + timedelta(days=40)).id
        broadcasts.send(s, other, NOW + timedelta(days=40))   # too young to go
    with sessions() as s:
        before = broadcasts.status(s, bid)
    assert (before.sent, before.delivered, before.failed, before.cancelled) == (2, 2, 1, 2)
    with sessions.begin() as s:
        assert broadcasts.forget_messages(s, NOW + timedelta(days=30)) == 5
    with sessions.begin() as s:
        assert broadcasts.forget_messages(s, NOW + timedelta(days=30)) == 0   # once
    with sessions() as s:
        assert broadcasts.status(s, bid) == before
        assert s.scalar(select(func.count()).select_from(Outbox)
                        .where(Outbox.broadcast_id == bid)) == 0
        assert s.scalar(select(func.count()).select_from(Outbox)
                        .where(Outbox.broadcast_id == other)) == 5
