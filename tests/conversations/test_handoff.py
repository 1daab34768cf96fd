"""Hand-off to a person: the resident's side, through the real engine and database.

With a staff group configured, asking for a person opens a hand-off: the resident is
told a staff member answers here, the group gets the request (an outbox row for the
group's chat, without the full phone number), and the conversation waits: every
message goes to the group, "we will answer soon" at most once an hour, STOP still stops.
Without a group, a person is the city's phone number, as before.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from conversations.engine import Engine
from conversations.incoming import Kind
from storage.models import Conversation, Handoff, Outbox, Slot
from tests.auxil.world import World, rules

GROUP = "-100777"
ANN = "+32470111222"


@pytest.fixture
def world(sessions):
    w = World(sessions, rules=rules(staff_group=GROUP))
    w.coach(last=date(2026, 12, 10))
    return w


def group_texts(world: World) -> list[str]:
    with world.sessions() as s:
        rows = s.scalars(select(Outbox).where(Outbox.address == GROUP).order_by(Outbox.id))
        return [r.body for r in rows]


def handoffs(world: World) -> list[Handoff]:
    with world.sessions() as s:
        return list(s.scalars(select(Handoff).order_by(Handoff.id)))


def test_a_person_opens_a_handoff_and_the_group_gets_the_request(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    reply = ann.say("mens")
    assert "Een medewerker van de stad antwoordt u hier" in reply
    assert "03 778 30 00" not in reply
    assert ann.state == "handoff"
    [handoff] = handoffs(world)
    assert handoff.closed_at is None and handoff.last_notice_at == world.clock()
    [request] = group_texts(world)
    assert request.startswith(f"🙋 #{handoff.id} ")
    assert "sms" in request and "…222" in request and '“mens”' in request
    assert "Was bij: de code" in request            # where they were: the code question
    assert "- 01-12 09:00 “hallo” (bij het begin)" in request   # their first message
    assert "Nog geen bezoek geboekt" in request
    assert ANN not in request and "470111222" not in request   # never the full number
    with world.sessions() as s:
        row = s.scalars(select(Outbox).where(Outbox.address == GROUP)).one()
        assert (row.channel, row.resident_id) == ("telegram", None)


def test_the_request_shows_the_visit_without_street_or_phone(world):
    code = world.cheque()
    ann = world.resident(ANN)
    ann.up_to_topic(code, "9100 Kerkstraat 12")
    ann.say("3")
    ann.say("1")
    ann.say("1")
    assert ann.state == "menu"
    reply = ann.say("4")    # the menu's "talk to a person"
    assert "Een medewerker van de stad antwoordt u hier" in reply
    [request] = group_texts(world)
    [booking] = world.bookings()
    with world.sessions() as s:
        local = s.get(Slot, booking.slot_id).starts_at.astimezone(world.rules.tz)
    assert f"Bezoek: {local:%d-%m-%Y %H:%M}, postcode 9100, itsme" in request
    assert "Kerkstraat" not in request and "470111222" not in request
    assert "coach belt …222" in request
    assert [line.split("” ", 1)[1] for line in earlier_lines(request)] == [
        "(bij de hulpvraag)", "(bij een moment kiezen)", "(bij het bezoek bevestigen)"]
    assert "Was bij: het menu van een geboekt bezoek" in request


def test_a_wish_in_a_sentence_opens_it_too(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    reply = ann.say("ik wil met iemand praten")
    assert "Een medewerker van de stad antwoordt u hier" in reply
    assert ann.state == "handoff"
    assert '“ik wil met iemand praten”' in group_texts(world)[0]


def test_messages_while_waiting_go_to_staff_and_the_notice_comes_at_most_hourly(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    assert ann.say("het gaat over mijn brief") == ""        # forwarded, no answer
    world.clock.advance(minutes=59)
    assert ann.say("hallo?") == ""
    world.clock.advance(minutes=1)
    assert ann.say("is er iemand?") == ("Bedankt, we hebben uw bericht. Een medewerker "
                                        "antwoordt u zo snel mogelijk. Terug naar de bot? "
                                        "Stuur MENU.")
    assert ann.say("help") == ""                            # within the hour again
    world.clock.advance(hours=2)
    assert "Een medewerker antwoordt u zo snel mogelijk" in ann.say("nog iets")
    assert ann.state == "handoff"
    [handoff] = handoffs(world)
    assert handoff.last_notice_at == world.clock()
    ref = f"#{handoff.id}"
    assert group_texts(world)[1:] == [
        f"💬 {ref} Bewoner: “het gaat over mijn brief”", f"💬 {ref} Bewoner: “hallo?”",
        f"💬 {ref} Bewoner: “is er iemand?”", f"💬 {ref} Bewoner: “help”",
        f"💬 {ref} Bewoner: “nog iets”"]


def test_a_photo_while_waiting_is_named_to_staff_and_the_resident_asked_for_text(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    assert "alleen tekst lezen" in ann.say("kijk", kind=Kind.PHOTO)
    assert "(stuurde een foto; de bot kan die niet doorsturen) “kijk”" in group_texts(world)[1]


def test_stop_still_works_while_waiting_and_no_brings_them_back(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    assert "geen berichten meer" in ann.say("stop")
    assert ann.state == "confirm_stop"
    assert "Een medewerker antwoordt u zo snel mogelijk" in ann.say("2")
    assert ann.state == "handoff"
    assert len(group_texts(world)) == 1      # STOP and its answer are not forwarded


def test_asking_again_while_a_handoff_is_open_opens_no_second_one(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    ann.say("stop")
    ann.say("2")
    ann.say("mens")      # in the hand-off: forwarded like anything else
    assert len(handoffs(world)) == 1


def test_asking_after_the_conversation_was_forgotten_reminds_staff_of_the_same_one(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    world.clock.advance(days=31)        # forget_after: the conversation starts afresh
    assert ann.say("hallo") != "" and ann.state == "ask_code"
    assert "Een medewerker van de stad antwoordt u hier" in ann.say("mens")
    [handoff] = handoffs(world)
    first, again = group_texts(world)
    assert first.startswith(f"🙋 #{handoff.id} ") and again.startswith(f"🙋 #{handoff.id} ")


def test_telegram_residents_first_name_goes_to_staff(world):
    from conversations.incoming import Incoming
    world.engine.process(Incoming("telegram", "5001", "u1", "hallo", first_name="Maria"))
    world.engine.process(Incoming("telegram", "5001", "u2", "human", first_name="Maria"))
    [request] = group_texts(world)
    assert "Maria vraagt een medewerker" in request and "Kanaal: telegram, taal: nl" \
        in request


def test_without_a_staff_group_a_person_is_the_citys_phone(sessions):
    world = World(sessions)
    ann = world.resident(ANN)
    ann.say("hallo")
    assert "Bel de stad: 03 778 30 00" in ann.say("mens")
    assert ann.state == "ask_code"
    assert handoffs(world) == [] and group_texts(world) == []


def test_a_handoff_state_without_an_open_handoff_gives_the_bot_back(world):
    """Closed by staff while the resident was away: their next message is the bot's."""
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say("mens")
    with world.sessions.begin() as s:
        s.scalars(select(Handoff)).one().closed_at = world.clock()
    reply = ann.say("hallo?")
    assert "U praat nu weer met de digicheque-bot" in reply
    assert ann.state == "ask_code"
    assert isinstance(world.engine, Engine)


# ---------------------------------------------------------------------- last messages

def earlier_lines(request: str) -> list[str]:
    """The request's "Eerder:" lines (the resident's messages before the request)."""
    lines = request.split("\n")
    if "Eerder:" not in lines:
        return []
    start = lines.index("Eerder:") + 1
    return [line for line in itertools.takewhile(lambda x: x.startswith("- "), lines[start:])]


def recent_of(world: World) -> list[dict[str, str]]:
    with world.sessions() as s:
        return list(s.scalars(select(Conversation.recent)).one())


def test_the_request_shows_the_last_three_messages_before_it_with_their_time(world):
    ann = world.resident(ANN)
    said_at = []
    for text in ("hallo", "ik snap het niet", "mijn nummer is 0470 11 12 22",
                 "wat moet ik doen"):
        said_at.append(world.clock().astimezone(world.rules.tz))
        ann.say(text)
        world.clock.advance(minutes=2)
    ann.say("iemand")
    [request] = group_texts(world)
    assert earlier_lines(request) == [       # each with the question it answered
        f"- {said_at[1]:%d-%m %H:%M} “ik snap het niet” (bij de code)",
        f"- {said_at[2]:%d-%m %H:%M} “mijn nummer is …222” (bij de code)",   # masked
        f"- {said_at[3]:%d-%m %H:%M} “wat moet ik doen” (bij de code)",
    ]
    assert request.index("Eerder:") < request.index("Schreef: “iemand”")
    assert "470 11 12" not in request


def test_what_is_not_text_is_named_and_a_first_message_has_no_history(world):
    ann = world.resident(ANN)
    ann.say("mens")
    ann_again = world.resident("+32470999888")
    ann_again.say("", kind=Kind.PHOTO)
    ann_again.say("mens")
    first, second = group_texts(world)
    assert earlier_lines(first) == [] and "Eerder:" not in first
    [photo] = earlier_lines(second)
    assert photo.endswith("(stuurde een foto) (bij het begin)")


def test_messages_of_a_forgotten_conversation_are_not_shown(world):
    ann = world.resident(ANN)
    ann.say("mijn adres is Kerkstraat 12")
    world.clock.advance(days=31)        # forget_after: the conversation starts afresh
    ann.say("hallo")
    ann.say("mens")
    [request] = group_texts(world)
    assert "Kerkstraat" not in request
    assert [line.endswith("“hallo” (bij het begin)")
            for line in earlier_lines(request)] == [True]


def test_only_the_last_three_are_kept_and_stop_forgets_them(world):
    ann = world.resident(ANN)
    for text in ("een", "twee", "drie", "vier"):
        ann.say(text)
    assert [r["text"] for r in recent_of(world)] == ["twee", "drie", "vier"]
    ann.say("stop")
    assert [r["text"] for r in recent_of(world)] == ["drie", "vier", "stop"]
    ann.say("ja")
    assert ann.state == "stopped"
    assert recent_of(world) == []       # stopped: nothing they wrote is kept


@pytest.mark.parametrize("word", ["mens", "iemand", "bellen", "helpdesk", "Helpdesk aub",
                                  "personne", "human"])
def test_each_word_for_a_person_opens_a_handoff(world, word):
    ann = world.resident(ANN)
    ann.say("hallo")
    ann.say(word)
    assert ann.state == "handoff" and len(handoffs(world)) == 1


def test_menu_while_waiting_is_the_way_back_to_the_bot_and_staff_are_told(world):
    ann = world.resident(ANN)
    ann.say("hallo")
    assert "Terug naar de bot? Stuur MENU." in ann.say("mens")    # the way out, shown
    reply = ann.say("MENU")
    assert reply.startswith("Goed, u praat weer met de digicheque-bot.\n")
    assert "Stuur de code" in reply and ann.state == "ask_code"
    [handoff] = handoffs(world)
    assert (handoff.closed_at, handoff.closed_by) == (world.clock(), "resident")
    request, note = group_texts(world)
    assert note == (f"#{handoff.id} afgesloten: de bewoner ging terug naar de bot (MENU). "
                    "Antwoorden gaan niet meer naar de bewoner.")
    assert "Stuur de code" in ann.say("hallo")      # the bot answers again
    assert len(group_texts(world)) == 2             # and nothing more goes to staff
