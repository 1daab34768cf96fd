"""Answers to a reminder and to the follow-up, whatever the conversation was busy with
(conversations/after_visit.py), through the real sweep and engine (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.jobs import close_followups, sweep_reminders
from storage.bookings import cancel_visit, record_outcome
from conversations.states import State
from storage.models import (
    Booking,
    BookingStatus,
    Cheque,
    Conversation,
    Outbox,
    Priority,
    Resident,
    Timer,
    TimerStatus,
)
from conversations import handoff
from tests.auxil.world import World, local, rules
from tests.conversations.test_contract import STATE_DATA as CONTRACT_DATA

WED, THU, FRI = date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)


def make_world(sessions, **overrides):
    world = World(sessions, rules=rules(**overrides))
    world.coach(capacity=2)
    return world


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def flexible(sessions):
    """A city where visits can change until 12 hours before: the day-before reminder's
    "2" and "3" are still in time."""
    return make_world(sessions, change_deadline=timedelta(hours=12))


def book_thursday_nine(world, person, seed=1):
    person.up_to_topic(world.cheque(seed=seed), "9100 Kerkstraat 12")
    person.say("2")
    assert "donderdag 3 december van 09:00" in person.say("donderdag om 9u")
    assert "Gelukt" in person.say("ja")


def booking(world, booking_id=None):
    with world.sessions() as s:
        query = select(Booking).order_by(Booking.id)
        found = list(s.scalars(query))
    return found[0] if booking_id is None else next(b for b in found if b.id == booking_id)


def remind(world, moment):
    """The sweep at `moment`: what it queued for residents."""
    world.clock.set(moment)
    sweep_reminders(world.engine)
    with world.sessions() as s:
        return [m.body for m in s.scalars(select(Outbox).where(
            Outbox.priority == Priority.REMINDER).order_by(Outbox.id))]


def test_one_confirms_the_visit_and_thanks(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    [reminder] = remind(world, local(WED, 9, 1))
    assert "1 Ik ben er\n2 Verzetten\n3 Annuleren" in reminder
    reply = ann.say("1")
    assert reply == "Dank u! De coach komt op donderdag 3 december om 09:00. Tot dan!"
    assert booking(world).confirmed_at == local(WED, 9, 1)
    assert ann.state == "menu"
    # Answered: a "1" now is the menu's first choice again, not a second confirmation.
    world.clock.set(local(WED, 9, 30))
    assert "Dank u!" not in ann.say("1")
    assert booking(world).confirmed_at == local(WED, 9, 1)


def test_a_resident_half_way_through_a_second_code_gets_their_question_back(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(date(2026, 12, 1), 15))
    assert "Wat is uw postcode?" in ann.say(world.cheque(seed=2))
    assert "straat en huisnummer" in ann.say("9100")
    remind(world, local(WED, 9, 1))
    reply = ann.say("1")
    assert reply.startswith("Dank u! De coach komt op donderdag 3 december om 09:00.")
    assert reply.endswith("Wat is uw straat en huisnummer? Bv. Kerkstraat 12")
    assert ann.state == "ask_street"
    assert booking(world).confirmed_at == local(WED, 9, 1)
    # They go on where they were: the street, then the topic.
    assert "Waarmee wilt u hulp?" in ann.say("Markt 5")
    assert ann.state == "ask_topic"


@pytest.mark.parametrize("text", [
    "Ik ben er", "ja, ik ben er hoor", "Ja ik ben thuis, bedankt!", "yes I'll be there",
    "Yes I will be there 👍", "oui, je serai là, merci", "ok ik zal er zijn",
    "oké tot morgen", "ja hoor, tot morgen!", "à demain", "see you tomorrow, thanks"])
def test_words_that_say_i_will_be_there(world, text):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    assert ann.say(text).startswith("Dank u!")
    assert booking(world).confirmed_at is not None


@pytest.mark.parametrize("text", [
    "ik ben er niet", "nee, ik ben er niet", "I'll be there but later",
    "ik ben er dinsdag niet"])
def test_there_with_more_words_is_no_confirmation(world, text):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    assert not ann.say(text).startswith("Dank u!")
    assert booking(world).confirmed_at is None


def test_two_moves_that_visit(flexible):
    world = flexible
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    offered = ann.say("2")
    assert "Wanneer mag de coach komen?" in offered and "do 3 dec 09:00" not in offered
    assert ann.state == "ask_time"
    assert "verplaatsen naar" in ann.say("1")
    assert "Gelukt!" in ann.say("1")
    moved = booking(world)
    assert (moved.status, moved.moves) == (BookingStatus.BOOKED, 1)
    assert world.slot_at(local(THU, 9)).id != moved.slot_id


def test_three_asks_to_cancel_that_visit(flexible):
    world = flexible
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    assert ann.say("3").startswith(
        "Wilt u uw bezoek op donderdag 3 december om 09:00 annuleren?")
    assert ann.state == "confirm_cancel"
    assert "geannuleerd" in ann.say("1")
    cancelled = booking(world)
    assert (cancelled.status, cancelled.outcome_by) == (BookingStatus.CANCELLED, "resident")


def test_too_late_to_move_the_reminder_offers_no_move_and_gives_the_phone_number(world):
    """Within the change deadline (12 hours by default) the reminder two hours before
    offers only "I'll be there" and the city's number: it invites no answer it refuses."""
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    [_, soon] = remind(world, local(THU, 8, 1))   # 07:00 is in the quiet hours
    assert "Bel de stad: 03 778 30 00" in soon and "1 Ik ben er" in soon
    assert "Verplaatsen" not in soon and "Annuleren" not in soon
    reply = ann.say("verzetten")
    assert "kan nu niet meer via bericht" in reply and "03 778 30 00" in reply
    assert booking(world).status == BookingStatus.BOOKED


def test_no_to_a_reminder_shows_what_can_be_done(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    reply = ann.say("nee")
    assert reply.startswith("Kunt u er niet zijn?") and "2 Verplaatsen" in reply
    assert booking(world).confirmed_at is None


def test_other_words_go_to_the_conversation_and_close_the_question(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    assert "gratis" in ann.say("wat kost het?").lower()
    assert "Dank u!" not in ann.say("1")   # the menu's 1 now: see the visit
    assert booking(world).confirmed_at is None


def test_a_cancelled_visit_has_no_question_open(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    with world.sessions.begin() as s:
        cancel_visit(s, s.get(Booking, booking(world).id), world.clock(), by="staff")
    assert "Dank u! De coach komt" not in ann.say("1")
    assert booking(world).confirmed_at is None


# ---------------------------------------------------------------------------- follow-up

def followup(world):
    """The day after the visit at 10:00: 'did the coach come?'."""
    return remind(world, local(FRI, 10, 1))[-1]


def test_the_follow_up_asks_the_day_after_and_yes_means_done(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    asked = followup(world)
    assert asked == ("Is de coach bij u geweest op donderdag 3 december? Uw antwoord helpt "
                     "ons.\n1 Ja\n2 Nee")
    assert ann.say("ja") == "Fijn, dank u! We hopen dat de hulp van de coach goed was."
    done = booking(world)
    assert (done.status, done.outcome_by) == (BookingStatus.DONE, "resident")
    with world.sessions() as s:
        cheque = s.get(Cheque, done.cheque_id)
        assert (cheque.visits_used, cheque.status) == (1, "used")


@pytest.mark.parametrize("text, outcome", [
    ("ja hij is geweest", BookingStatus.DONE), ("ja, het was heel fijn!", BookingStatus.DONE),
    ("ja maar hij was wat laat", BookingStatus.DONE),
    ("oui merci c'était super", BookingStatus.DONE),
    ("yes he came, thanks", BookingStatus.DONE),
    ("nee hij kwam niet", BookingStatus.NO_SHOW), ("niemand gekomen", BookingStatus.NO_SHOW),
    ("de coach is niet geweest", BookingStatus.NO_SHOW),
    ("ja, maar hij kwam niet", BookingStatus.NO_SHOW),
    ("ik heb de hele dag gewacht maar niemand", BookingStatus.NO_SHOW),
    ("le coach n'est pas venu", BookingStatus.NO_SHOW),
    ("he didn't show up", BookingStatus.NO_SHOW)])
def test_the_follow_up_is_answered_in_a_sentence(world, text, outcome):
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    ann.say(text)
    assert (booking(world).status, booking(world).outcome_by) == (
        outcome, "resident" if outcome == BookingStatus.DONE else "coach")


def test_a_question_after_the_follow_up_is_no_answer_to_it(world):
    """"ok, can I have another visit?" starts with ok, but says nothing about the coach."""
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    ann.say("ok kan ik nog een bezoek?")
    assert booking(world).status == BookingStatus.BOOKED


def test_no_gives_the_visit_back_and_offers_new_times(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    reply = ann.say("2")
    assert reply.startswith("Sorry dat de coach niet kwam.")
    assert reply.endswith("Wilt u een nieuw moment?\n1 Ja\n2 Nee")
    assert ann.state == "new_time"
    missed = booking(world)
    assert (missed.status, missed.outcome_by) == (BookingStatus.NO_SHOW, "coach")
    with world.sessions() as s:
        cheque = s.get(Cheque, missed.cheque_id)
        assert (cheque.visits_used, cheque.status) == (0, "open")
    offered = ann.say("1")
    assert "Wanneer mag de coach komen?" in offered and ann.state == "ask_time"
    confirm = ann.say("1")
    assert "Kerkstraat 12, 9100" in confirm and "Hulp met: Computer" in confirm
    assert "Gelukt" in ann.say("1")
    with world.sessions() as s:
        again = s.scalars(select(Booking).where(Booking.status == BookingStatus.BOOKED)).one()
        cheque = s.get(Cheque, again.cheque_id)
        assert (again.cheque_id, again.street, again.phone, again.topic) == \
            (missed.cheque_id, "Kerkstraat 12", missed.phone, "computer")
        assert again.slot.starts_at > local(FRI, 10)
        assert (cheque.visits_used, cheque.status) == (1, "used")


def asked_for_a_new_time(world):
    """Ann booked Thursday 9:00, said the coach did not come, and is asked for a new time."""
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    ann.say("nee")
    assert ann.state == "new_time"
    return ann


def test_a_day_for_the_new_time_is_a_yes_with_that_day(world):
    ann = asked_for_a_new_time(world)
    reply = ann.say("ja, volgende week dinsdag")
    assert reply.startswith("Klopt dit? Bezoek op dinsdag 8 december")
    assert ann.state == "confirm"


@pytest.mark.parametrize("text", ["wanneer kan het?", "dinsdag kan ik niet"])
def test_a_question_about_when_or_a_refused_day_offers_times(world, text):
    ann = asked_for_a_new_time(world)
    reply = ann.say(text)
    assert reply.startswith("Wanneer mag de coach komen?") and ann.state == "ask_time"
    assert "di 8 dec" not in reply or text.startswith("wanneer")


@pytest.mark.parametrize("text", ["ik weet het nog niet", "misschien later",
                                  "je ne sais pas encore", "not sure yet, sorry"])
def test_not_yet_for_the_new_time_is_a_no_for_now(world, text):
    ann = asked_for_a_new_time(world)
    assert "Stuur dan de code" in ann.say(text)
    assert ann.state == "ask_code"


def test_yes_but_not_this_week_offers_later_times(world):
    ann = asked_for_a_new_time(world)
    reply = ann.say("ja, maar nog niet volgende week")
    assert ann.state in ("ask_time", "confirm") and "Stuur dan de code" not in reply


def test_no_new_time_after_all(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    ann.say("nee")
    assert "Stuur dan de code" in ann.say("nee")
    assert ann.state == "ask_code"


def test_no_answer_counts_as_done_after_the_wait_and_a_late_no_corrects_it(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    followup(world)
    visit_end = local(THU, 10, 30)
    assert close_followups(world.engine, visit_end + timedelta(days=3) - timedelta(minutes=1)) \
        == 0
    assert booking(world).status == BookingStatus.BOOKED
    assert close_followups(world.engine, visit_end + timedelta(days=3, minutes=1)) == 1
    assert close_followups(world.engine, visit_end + timedelta(days=3, minutes=2)) == 0
    assumed = booking(world)
    assert (assumed.status, assumed.outcome_by) == (BookingStatus.DONE, "auto")
    # The resident answers late after all: their word replaces the assumption.
    world.clock.set(visit_end + timedelta(days=4))
    assert ann.say("nee").startswith("Sorry dat de coach niet kwam.")
    assert (booking(world).status, booking(world).outcome_by) == \
        (BookingStatus.NO_SHOW, "coach")


def test_staff_can_correct_an_assumed_visit(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    close_followups(world.engine, local(THU, 10, 30) + timedelta(days=3, minutes=1))
    with world.sessions.begin() as s:
        record_outcome(s, booking(world).id, BookingStatus.NO_SHOW, "coach", world.clock(),
                       give_back=True)
    assert (booking(world).status, booking(world).outcome_by) == \
        (BookingStatus.NO_SHOW, "coach")


def test_a_follow_up_is_only_sent_for_a_visit_still_booked(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    with world.sessions.begin() as s:
        record_outcome(s, booking(world).id, BookingStatus.DONE, "staff", world.clock())
    assert remind(world, local(FRI, 10, 1)) == []
    with world.sessions() as s:
        assert [t.status for t in s.scalars(select(Timer).where(Timer.kind == "followup"))] \
            == ["cancelled"]


@pytest.mark.parametrize("language, words, thanks", [
    ("fr", "Je serai là", "Merci! Le coach vient le jeudi 3 décembre à 09:00."),
    ("en", "I'll be there", "Thank you! The coach comes on Thursday 3 December at 09:00."),
    ("en", "yes", "Thank you!"),
])
def test_i_will_be_there_in_french_and_english(world, language, words, thanks):
    ann = world.resident()
    book_thursday_nine(world, ann)
    resident_id = ann.row.id
    with world.sessions.begin() as s:
        s.get(Resident, resident_id).language = language
    remind(world, local(WED, 9, 1))
    assert ann.say(words).startswith(thanks)
    assert booking(world).confirmed_at == local(WED, 9, 1)


def test_i_will_not_be_there_is_no_confirmation(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    assert "Dank u!" not in ann.say("ik ben er niet")
    assert booking(world).confirmed_at is None


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(list(State)),
       text=st.one_of(st.text(max_size=200), st.sampled_from(
           ["1", "2", "3", "4", "ja", "nee", "Ik ben er", "verzetten", "annuleren", "👍",
            "ik ben er niet", "\x00"])),
       kind=st.sampled_from(["reminder.day_before", "followup"]))
def test_any_answer_to_an_open_question_in_any_state_gets_a_reply(reminded, state, text,
                                                                  kind):
    """With a reminder or follow-up open, any text in any state gets an answer and
    leaves a valid state (G7)."""
    world, ann = reminded
    resident_id, booking_id = ann.row.id, booking(world).id
    with world.sessions.begin() as s:
        conv = s.get(Conversation, resident_id)
        conv.state, conv.data = str(state), dict(CONTRACT_DATA[state])
        conv.updated_at = local(WED, 8)   # before the question was asked
        timer = s.scalars(select(Timer).where(Timer.kind == kind)).one()
        timer.status, timer.fired_at = TimerStatus.FIRED, local(WED, 9, 1)
        other = "followup" if kind != "followup" else "reminder.day_before"
        for t in s.scalars(select(Timer).where(Timer.kind == other)):
            t.status, t.fired_at = TimerStatus.PENDING, None
        b = s.get(Booking, booking_id)
        b.status, b.outcome_by, b.confirmed_at = BookingStatus.BOOKED, None, None
        # The fixture lives across examples: what an earlier one did to the resident (a
        # confirmed stop, wrong codes) must not decide this one.
        person = s.get(Resident, resident_id)
        person.opted_out_at, person.wrong_codes, person.codes_locked_until = None, 0, None
    outcome = ann.send(text)
    assert outcome.outbox_ids
    assert ann.state in set(State)


@pytest.fixture
def reminded(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(WED, 9, 30))
    return world, ann


def test_a_resident_waiting_for_a_person_answers_the_reminder_and_keeps_waiting(sessions):
    """A hand-off is open when the reminder comes: "1" confirms the visit (not a text for
    staff), and they still wait; a text after it goes to staff again."""
    world = make_world(sessions, staff_group="-100777")
    ann = world.resident()
    book_thursday_nine(world, ann)
    ann.say("mens")
    assert ann.state == "handoff"
    remind(world, local(WED, 9, 1))
    reply = ann.say("1")
    assert reply.startswith("Dank u! De coach komt op donderdag 3 december om 09:00.")
    assert reply.endswith("Een medewerker antwoordt u zo snel mogelijk. Terug naar de bot? "
                          "Stuur MENU.")               # still waiting, and told so
    assert booking(world).confirmed_at == local(WED, 9, 1)
    assert ann.state == "handoff"
    world.clock.set(local(WED, 9, 5))
    assert ann.say("2") == ""                  # no question open: a text for staff
    with world.sessions() as s:
        to_staff = list(s.scalars(select(Outbox.body).where(Outbox.address == "-100777")
                                  .order_by(Outbox.id)))
    assert to_staff[-1].endswith("“2”") and not any(t.endswith("“1”") for t in to_staff)


def test_after_staff_wrote_a_waiting_residents_1_is_for_staff(sessions):
    """The reminder came, then a staff member wrote: "1" answers staff, not the reminder."""
    world = make_world(sessions, staff_group="-100777")
    ann = world.resident()
    book_thursday_nine(world, ann)
    ann.say("mens")
    remind(world, local(WED, 9, 1))
    world.clock.set(local(WED, 9, 2))
    with world.sessions.begin() as s:
        resident_id = booking(world).resident_id
        world.engine.push(s, resident_id, handoff.staff_says("Kies 1 of 2: ..."),
                          world.clock())
    world.clock.set(local(WED, 9, 3))
    assert "Dank u" not in ann.say("1")
    assert booking(world).confirmed_at is None
    with world.sessions() as s:
        last = s.scalars(select(Outbox.body).where(Outbox.address == "-100777")
                         .order_by(Outbox.id.desc()).limit(1)).one()
    assert last.endswith("“1”")


def test_ill_to_the_reminder_shows_what_can_be_done(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    remind(world, local(WED, 9, 1))
    reply = ann.say("sorry, ik ben ziek")
    assert reply.startswith("Kunt u er niet zijn? Dan kunt u het bezoek verzetten of "
                            "annuleren.")
    assert ann.state == "menu" and booking(world).confirmed_at is None
