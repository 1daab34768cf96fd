"""The resident's journey as transcripts: message in -> what they receive, state, database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from conversations.flows import State
from conversations.incoming import Kind
from storage.models import Cheque, Conversation, Inbound, Outbox, Slot, Timer
from tests.auxil.world import World, local

WED = date(2026, 12, 2)


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach()
    return w


def book(person, code, topic="3", time_choice="1"):
    """The shortest happy path; returns the confirmation text."""
    person.say("hallo")
    person.say(code)
    person.say("9100")
    person.say("Kerkstraat 12")
    person.say(topic)
    person.say(time_choice)
    return person.say("1")


def test_first_contact_welcomes_and_asks_the_code(world):
    ann = world.resident()
    reply = ann.say("hallo")
    assert "Dag!" in reply and "Stuur de code van uw digicheque" in reply
    assert ann.state == State.ASK_CODE


def test_whole_booking_in_dutch_by_sms(world):
    code = world.cheque()
    ann = world.resident()
    ann.say("hallo")
    assert "uw code is goed" in ann.say(code.lower().replace("-", " "))
    assert ann.state == State.ASK_POSTCODE
    assert "straat en huisnummer" in ann.say("9100")
    reply = ann.say("Kerkstraat 12")   # the phone is the number she writes from
    assert "Waarmee wilt u hulp?" in reply and "3 itsme" in reply and "7 Iets anders" in reply
    reply = ann.say("3")
    assert "1 wo 2 dec 09:00-10:30" in reply
    assert "2 wo 2 dec 13:00-14:30" in reply
    assert "4 Andere dag" in reply
    reply = ann.say("1")
    assert "Bezoek op woensdag 2 december van 09:00 tot 10:30, Kerkstraat 12, 9100" in reply
    assert "Tel. 0470 11 12 22. Hulp met: itsme" in reply
    assert ann.state == State.CONFIRM
    reply = ann.say("1")
    assert "Gelukt! De coach komt op wo 2 dec om 09:00." in reply
    assert "vraagt nooit uw pincode" in reply and "MENU" in reply
    assert "CANCEL" not in reply.upper().replace("ANNULEREN", "")
    assert ann.state == State.MENU

    [booking] = world.bookings()
    assert (booking.postcode, booking.street, booking.phone, booking.topic) == \
        ("9100", "Kerkstraat 12", "+32470111222", "itsme")
    with world.sessions() as s:
        slot = s.get(Slot, booking.slot_id)
        cheque = s.get(Cheque, booking.cheque_id)
        timers = s.scalars(select(Timer).where(Timer.booking_id == booking.id)).all()
    assert slot.starts_at == local(WED, 9) and slot.booked == 1
    assert (cheque.status, cheque.visits_used) == ("used", 1)
    # Booked Tuesday 09:00 for Wednesday 09:00: the day-before reminder is due now-ish
    # (Tuesday 09:00 is not after 'now'), so only the 2-hour one remains; the follow-up
    # asks the next morning at 10:00 whether the coach came.
    assert [(t.kind, t.due_at) for t in timers] == [
        ("reminder.soon", local(WED, 8)), ("followup", local(WED + timedelta(days=1), 10))]


@pytest.mark.parametrize("language, hello, accepted, booked", [
    ("fr", "FR", "votre code est bon", "C'est fait! Visite le mer 2 déc à 09:00"),
    ("en", "EN", "your code is good", "Done! The coach comes on Wed 2 Dec at 09:00"),
])
def test_whole_booking_in_french_and_english(world, language, hello, accepted, booked):
    code = world.cheque()
    bob = world.resident("+32470999888")
    assert bob.say(hello)
    assert bob.row.language == language
    assert accepted in bob.say(code)
    bob.say("9100 Kerkstraat 12")   # the whole address at once skips the street question
    assert bob.state == State.ASK_TOPIC
    bob.say("2")
    bob.say("1")
    assert booked in bob.say("1")
    assert len(world.bookings()) == 1


def test_telegram_gets_buttons_instead_of_numbers(world):
    code = world.cheque()
    tom = world.resident("5551234", channel="telegram")
    tom.say("/start")
    tom.say(code)
    tom.say("9100")
    tom.say("Markt 1")
    assert "0470 12 34 56" in tom.say("hallo?")
    assert tom.state == State.ASK_PHONE
    tom.say("0470 12 34 56")
    [msg] = tom.messages()
    assert msg.choices[:2] == ["Smartphone of tablet", "Computer"]
    assert "1 Smartphone" not in msg.body
    tom.say("Computer")        # a tapped button arrives as its label
    [msg] = tom.messages()
    assert msg.choices[-1] == "Andere dag"
    tom.say(msg.choices[1])
    assert tom.state == State.CONFIRM


def test_deep_link_start_code_redeems_directly(world):
    code = world.cheque()
    tom = world.resident("5551234", channel="telegram")
    reply = tom.say(f"/start {code.replace('-', '')}")
    assert "Dag!" in reply and "uw code is goed" in reply
    assert tom.state == State.ASK_POSTCODE


@pytest.mark.parametrize("status, expires, expected", [
    ("void", None, "niet meer geldig"),
    ("used", None, "al gebruikt"),
    ("open", date(2026, 11, 30), "verlopen"),
])
def test_unusable_codes_get_their_own_answer(world, status, expires, expected):
    code = world.cheque(status=status, expires_on=expires)
    ann = world.resident()
    ann.say("hallo")
    reply = ann.say(code)
    assert expected in reply and "03 778 30 00" in reply
    assert ann.state == State.ASK_CODE


def test_typo_and_unknown_code_are_told_apart(world):
    code = world.cheque(seed=1).replace("-", "")
    typo = code[:3] + ("B" if code[3] != "B" else "C") + code[4:]
    ann = world.resident()
    ann.say("hallo")
    assert "Een teken van de code klopt niet" in ann.say(typo)
    other = world.cheque(seed=2)
    with world.sessions.begin() as s:   # make the second code unknown again
        s.execute(Cheque.__table__.delete().where(Cheque.code == other.replace("-", "")))
    assert "Deze code kennen we niet" in ann.say(other)
    assert "9 tekens" in ann.say("ABC-123")


def test_five_wrong_codes_lock_code_checking_for_a_while(world):
    good = world.cheque(seed=1)
    unknown = [world.cheque(seed=s) for s in range(10, 15)]
    with world.sessions.begin() as s:
        s.execute(Cheque.__table__.delete().where(Cheque.code != good.replace("-", "")))
    ann = world.resident()
    ann.say("hallo")
    for code in unknown[:4]:
        assert "kennen we niet" in ann.say(code)
    assert "te veel foute codes" in ann.say(unknown[4])
    assert "te veel foute codes" in ann.say(good)       # even a good code waits
    world.clock.advance(hours=1, minutes=1)
    assert "uw code is goed" in ann.say(good)


def test_postcode_outside_the_city_is_refused_kindly(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    reply = ann.say("2000")
    assert "2000 valt buiten Sint-Niklaas" in reply and "03 778 30 00" in reply
    assert ann.state == State.ASK_POSTCODE
    ann.say("9111")
    assert ann.state == State.ASK_STREET


def test_street_needs_a_house_number(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    ann.say("9100")
    assert "ook uw huisnummer" in ann.say("Kerkstraat")
    assert ann.state == State.ASK_STREET


def test_other_topic_asks_for_words(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    assert "Schrijf in een paar woorden" in ann.say("7")
    ann.say("foto's naar mijn kleinkinderen sturen")
    assert ann.state == State.ASK_TIME
    ann.say("1")
    ann.say("ja")
    [booking] = world.bookings()
    assert (booking.topic, booking.topic_text) == ("other", "foto's naar mijn kleinkinderen sturen")


def test_topic_keyword_in_a_sentence(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("ik wil leren werken met Itsme aub")
    assert ann.state == State.ASK_TIME


def test_time_in_own_words_goes_to_confirmation(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("1")
    reply = ann.say("donderdag namiddag")
    assert "donderdag 3 december van 13:00 tot 14:30" in reply
    assert ann.state == State.CONFIRM


def test_another_day_shows_later_slots(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("1")
    reply = ann.say("4")
    assert "latere momenten" in reply and "1 do 3 dec 09:00-10:30" in reply


def test_slot_taken_meanwhile_offers_alternatives(world):
    ann, bob = world.resident("+32470000001"), world.resident("+32470000002")
    codes = [world.cheque(seed=1), world.cheque(seed=2)]
    for person, code in zip((ann, bob), codes, strict=True):
        person.up_to_topic(code)
        person.say("1")
        person.say("1")     # both look at Wednesday 09:00
    assert "Gelukt" in ann.say("1")
    reply = bob.say("1")
    assert "iemand anders was u net voor" in reply
    assert "wo 2 dec 09:00" not in reply
    assert bob.state == State.ASK_TIME
    bob.say("1")
    assert "Gelukt" in bob.say("ja")
    assert len({b.slot_id for b in world.bookings()}) == 2


def test_menu_see_move_and_cancel(world):
    ann = world.resident()
    book(ann, world.cheque())
    reply = ann.say("menu")
    assert "Uw bezoek is op woensdag 2 december om 09:00" in reply
    assert "2 Verplaatsen" in reply and "3 Annuleren" in reply
    assert "Kerkstraat 12" in ann.say("1")
    # Tuesday 09:00 now, the visit Wednesday 09:00: exactly at the 24 h deadline
    world.clock.advance(minutes=-1)
    reply = ann.say("2")
    assert "1 wo 2 dec 13:00-14:30" in reply
    old = world.bookings()[0]
    reply = ann.say("1")
    assert "verplaatsen naar woensdag 2 december van 13:00" in reply
    assert "1 Ja, verplaatsen" in reply
    assert "Gelukt! Uw bezoek is nu op woensdag 2 december om 13:00" in ann.say("1")
    assert ann.state == State.MENU
    [moved] = world.bookings()
    assert moved.version == old.version + 1 and moved.slot_id != old.slot_id
    with world.sessions() as s:
        assert s.get(Slot, old.slot_id).booked == 0
        assert s.get(Slot, moved.slot_id).booked == 1
    ann.say("menu")
    assert "annuleren?" in ann.say("3")
    assert ann.state == State.CONFIRM_CANCEL
    assert "geannuleerd" in ann.say("1")
    [cancelled] = world.bookings()
    assert cancelled.status == "cancelled"
    with world.sessions() as s:
        assert s.get(Slot, moved.slot_id).booked == 0
        cheque = s.get(Cheque, cancelled.cheque_id)
        assert (cheque.status, cheque.visits_used) == ("open", 0)
        timers = s.scalars(select(Timer)).all()
    assert timers and all(t.status == "cancelled" for t in timers)


def test_moving_after_the_deadline_gives_the_phone_number(world):
    ann = world.resident()
    book(ann, world.cheque())
    world.clock.advance(hours=13)   # the visit is now 11 hours away
    ann.say("menu")
    reply = ann.say("2")
    assert "kan nu niet meer via bericht" in reply and "03 778 30 00" in reply
    assert ann.state == State.MENU
    assert "kan nu niet meer" in ann.say("3")
    assert world.bookings()[0].status == "booked"


def test_redelivered_message_is_a_no_op(world):
    ann = world.resident()
    first = ann.send("hallo", provider_id="dup-1")
    again = ann.send("hallo", provider_id="dup-1")
    assert not first.duplicate and again.duplicate
    with world.sessions() as s:
        assert len(s.scalars(select(Outbox)).all()) == len(first.outbox_ids)
        assert len(s.scalars(select(Inbound)).all()) == 1


@pytest.mark.parametrize("word, expected", [
    ("help", "Antwoord op de vraag hieronder"),
    ("hulp", "Antwoord op de vraag hieronder"),
    ("?", "Antwoord op de vraag hieronder"),
    ("mens", "Bel de stad: 03 778 30 00"),
])
def test_global_words_answer_and_repeat_the_question(world, word, expected):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    reply = ann.say(word)
    assert expected in reply and "Wat is uw postcode?" in reply
    assert ann.state == State.ASK_POSTCODE


def test_language_switch_keeps_the_place(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    reply = ann.say("français")
    assert "nous parlons francais" in reply and "Quel est votre code postal?" in reply
    assert ann.state == State.ASK_POSTCODE and ann.row.language == "fr"
    assert "What is your postcode?" in ann.say("EN")


def test_stop_is_confirmed_and_start_comes_back(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    assert "geen berichten meer" in ann.say("stop")
    assert ann.state == State.CONFIRM_STOP
    assert "Stuur START" in ann.say("1")
    assert ann.row.opted_out_at is not None
    assert "Stuur START" in ann.say("hallo")
    reply = ann.say("start")
    assert "Welkom terug" in reply and "Wat is uw postcode?" in reply
    assert ann.row.opted_out_at is None and ann.state == State.ASK_POSTCODE


def test_stop_then_no_goes_back(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say("stop")
    assert "Stuur de code" in ann.say("nee")
    assert ann.state == State.ASK_CODE and ann.row.opted_out_at is None


@pytest.mark.parametrize("kind, expected", [
    (Kind.STICKER, "alleen tekst"), (Kind.VOICE, "spraakberichten"),
    (Kind.PHOTO, "foto's"), (Kind.LOCATION, "adres"), (Kind.GROUP, "niet in een groep"),
    (Kind.EDITED, "als nieuw bericht"),
])
def test_non_text_gets_a_kind_answer(world, kind, expected):
    ann = world.resident()
    ann.say("hallo")
    reply = ann.say("", kind=kind)
    assert expected in reply
    if kind is Kind.PHOTO:   # at the code question a photo is most likely the letter
        assert "De code staat op de brief" in reply and "03 778 30 00" in reply
    elif kind is not Kind.GROUP:
        assert "Stuur de code" in reply


def test_empty_and_huge_messages_repeat_the_question(world):
    ann = world.resident()
    ann.say("hallo")
    assert "leeg bericht" in ann.say("   ")
    assert "Stuur de code" in ann.say("x" * 10_000)
    assert ann.state == State.ASK_CODE


def test_resume_after_a_long_silence(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("1")
    world.clock.advance(days=3)
    reply = ann.say("2")
    assert "We waren bezig met een moment voor uw bezoek" in reply
    assert "1 Verder gaan" in reply and "2 Opnieuw beginnen" in reply
    reply = ann.say("1")
    assert "Wanneer mag de coach komen?" in reply and "1 ma 7 dec 09:00" in reply
    assert ann.state == State.ASK_TIME


def test_resume_with_a_fitting_answer_just_goes_on(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    world.clock.advance(days=2)
    assert "straat en huisnummer" in ann.say("9100")


def test_forgotten_conversation_starts_fresh(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    world.clock.advance(days=31)
    assert "Dag!" in ann.say("hallo")
    assert ann.state == State.ASK_CODE


def test_person_with_a_booking_gets_the_menu(world):
    ann = world.resident()
    book(ann, world.cheque())
    reply = ann.say("hallo")
    assert "Uw bezoek is op woensdag 2 december" in reply
    assert "begrijp ik niet" not in reply
    assert ann.state == State.MENU


def test_no_free_slots_gives_the_phone_number(sessions):
    world = World(sessions)   # no coach, no slots
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    reply = ann.say("1")
    assert "geen vrije momenten" in reply and "03 778 30 00" in reply
    assert "1 Menu" in reply


def test_minimum_notice_hides_slots_too_soon(world):
    world.clock.advance(hours=1)    # Tuesday 10:00: Wednesday 09:00 is under 24 h away
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    reply = ann.say("1")
    assert "wo 2 dec 09:00" not in reply and "1 wo 2 dec 13:00" in reply


def test_first_contact_with_a_booking_welcomes_with_the_menu(world):
    ann = world.resident()
    book(ann, world.cheque())
    with world.sessions.begin() as s:   # the conversation was purged, the visit stands
        s.execute(Conversation.__table__.delete())
    reply = ann.say("hallo")
    assert "Dag!" in reply and "Uw bezoek is op woensdag 2 december om 09:00" in reply
    assert "Dat begrijp ik niet" not in reply
    assert ann.state == State.MENU


def test_when_nothing_was_free_one_looks_again(sessions):
    world = World(sessions)   # no coach yet
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    assert "geen vrije momenten" in ann.say("1")
    world.coach()             # staff add slots meanwhile
    assert "1 wo 2 dec 09:00-10:30" in ann.say("ok?")
    assert ann.state == State.ASK_TIME
    world2 = World(sessions)
    bob = world2.resident("+32470000009")
    with world.sessions.begin() as s:
        s.execute(Slot.__table__.update().values(closed_at=world.clock()))
    bob.up_to_topic(world.cheque(seed=7))
    bob.say("1")
    assert "Stuur de code" in bob.say("1")   # 1 = Menu; with no visit that is the start


@pytest.mark.parametrize("greeting, language, expected", [
    ("Bonjour!", "fr", "Envoyez le code de votre digicheque"),
    ("bonjour madame", "fr", "Envoyez le code"),
    ("Hello", "en", "Send the code of your digicheque"),
    ("hi there", "en", "Send the code"),
    ("hallo", "nl", "Stuur de code"),
    # A first sentence tells the language too (issue 9), not only a greeting.
    ("salut ça va? je voudrais de l'aide pour mon téléphone svp merci", "fr",
     "Envoyez le code"),
    ("Hi, I got a voucher from the city", "en", "Send the code"),
])
def test_a_first_greeting_picks_the_language(world, greeting, language, expected):
    ann = world.resident()
    reply = ann.say(greeting)
    assert expected in reply
    assert ann.row.language == language
    assert ann.state == State.ASK_CODE


def test_a_greeting_later_does_not_switch_language(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say("hello")
    assert ann.row.language == "nl"


@pytest.mark.parametrize("said, street", [
    ("ik woon in de kerkstraat 5 te 9100", "Kerkstraat 5"),
    ("Mijn adres is: Grote Markt 1, 9100 Sint-Niklaas", "Grote Markt 1"),
    ("j'habite rue de la Gare 3, 9100", "Rue de la Gare 3"),
    ("I live at Stationsstraat 12, 9100", "Stationsstraat 12"),
    ("9100 kerkstraat 12 bus 3", "Kerkstraat 12 bus 3"),
])
def test_the_street_is_kept_without_the_words_around_it(world, said, street):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    ann.say(said)
    assert ann.state == State.ASK_TOPIC
    ann.say("1")
    assert f"Bezoek op woensdag 2 december van 09:00 tot 10:30, {street}, 9100." in ann.say("1")


def test_menu_in_the_middle_of_booking_offers_to_go_on(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("2")
    reply = ann.say("menu")
    assert "We waren bezig met een moment voor uw bezoek" in reply
    assert "1 Verder gaan" in reply and "2 Opnieuw beginnen" in reply
    assert "1 wo 2 dec 09:00-10:30" in ann.say("1")      # the answers were kept
    ann.say("menu")
    assert "Stuur de code" in ann.say("2")


def test_two_coaches_at_the_same_time_are_one_choice_and_either_is_booked(world):
    world.coach(name="Bram")     # the same hours as An
    ann, bob = world.resident("+32470000001"), world.resident("+32470000002")
    offers = [p.up_to_topic(world.cheque(seed=i)) and p.say("1")
              for i, p in enumerate((ann, bob), start=1)]
    for offer in offers:
        assert offer.count("wo 2 dec 09:00-10:30") == 1
        assert "2 wo 2 dec 13:00-14:30" in offer
    ann.say("1")
    bob.say("1")
    assert "Gelukt" in ann.say("ja")
    assert "Gelukt! De coach komt op wo 2 dec om 09:00" in bob.say("ja")
    booked = world.bookings()
    assert len(booked) == 2 and booked[0].slot_id != booked[1].slot_id
    with world.sessions() as s:
        assert {s.get(Slot, b.slot_id).starts_at for b in booked} == {local(WED, 9)}


def test_a_code_inside_a_sentence_is_found(world):
    code = world.cheque()
    ann = world.resident()
    ann.say("hallo")
    assert "uw code is goed" in ann.say(f"mijn code is {code.lower().replace('-', ' ')}")


def test_sentences_without_a_code_do_not_count_as_wrong_codes(world):
    ann = world.resident()
    ann.say("hallo")
    for _ in range(6):
        assert "9 tekens" in ann.say("ik heb een brief gekregen van 12 december")
    assert ann.row.wrong_codes == 0
    assert "uw code is goed" in ann.say(world.cheque())
