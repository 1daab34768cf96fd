"""The staff group's side of a hand-off (bot/handoffs.py) on the real engine and database,
and its setting ([staff] group_chat_id). The whole path over HTTP, with the real sender,
is in test_e2e_handoff.py; here the sender's part, recording the Telegram message id
of what it sent to the group, is done by hand (`sent`)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.handoffs import StaffDesk
from conversations import notices
from conversations.incoming import Incoming, Kind
from storage.bookings import move_visit
from storage.models import Booking, Handoff, Outbox, Slot
from tests.auxil.threads import at_once
from tests.auxil.world import World, local, rules

GROUP = "-100777"
SOFIE, STRANGER = "42", "4343"
MARIA = "5001"   # a resident on Telegram
_ids = itertools.count(1)
_telegram_ids = itertools.count(700)


@pytest.fixture
def world(sessions):
    return World(sessions, rules=rules(staff_group=GROUP))


@pytest.fixture
def desk(world):
    return StaffDesk(world.engine, GROUP, [SOFIE])


def sent(world: World) -> dict[str, str]:
    """What the sender does once Telegram took the group's messages: their message ids.
    Returns each text's first line -> its Telegram message id."""
    ids = {}
    with world.sessions.begin() as s:
        for row in s.scalars(select(Outbox).where(Outbox.address == GROUP)):
            if row.provider_message_id is None:
                row.provider_message_id = str(next(_telegram_ids))
            ids[row.body.split("\n")[0]] = row.provider_message_id
    return ids


def group_texts(world: World) -> list[str]:
    with world.sessions() as s:
        return list(s.scalars(select(Outbox.body).where(Outbox.address == GROUP)
                              .order_by(Outbox.id)))


def reply(desk: StaffDesk, text: str, to: str | None, by: str = SOFIE,
          provider_id: str | None = None, chat: str = GROUP) -> bool:
    return desk.handle(Incoming("telegram", chat, provider_id or f"g{next(_ids)}", text,
                                Kind.GROUP, first_name="Sofie", sender_id=by,
                                reply_to=to))


def maria_asks(world: World) -> str:
    """Maria (Telegram) asks for a person; the request's Telegram message id."""
    maria = world.resident(MARIA, "telegram")
    maria.say("hallo")
    maria.say("human")
    return next(v for k, v in sent(world).items() if k.startswith("🙋"))


def test_a_staff_answer_reaches_a_telegram_resident_in_her_conversation(world, desk):
    asked = maria_asks(world)
    world.clock.advance(hours=3)    # a notice would be due by now
    assert reply(desk, "Hallo Maria, waarmee kan ik helpen?", asked)
    maria = world.resident(MARIA, "telegram")
    with world.sessions() as s:
        [answer] = s.scalars(select(Outbox).where(Outbox.address == MARIA)
                             .order_by(Outbox.id.desc()).limit(1))
        handoff = s.scalars(select(Handoff)).one()
    assert (answer.channel, answer.body) == (
        "telegram", "Medewerker stad Sint-Niklaas: Hallo Maria, waarmee kan ik helpen?")
    assert maria.state == "handoff"
    assert handoff.group_message_id == asked
    assert handoff.last_notice_at == world.clock()
    assert maria.say("Over mijn bankapp") == ""     # just answered: no "we will answer soon"


def test_a_redelivered_staff_update_is_sent_once(world, desk):
    asked = maria_asks(world)
    assert reply(desk, "Dag Maria", asked, provider_id="g-same")
    assert not reply(desk, "Dag Maria", asked, provider_id="g-same")
    with world.sessions() as s:
        answers = s.scalars(select(Outbox.body).where(Outbox.address == MARIA,
                                                      Outbox.body.contains("Dag Maria")))
        assert len(answers.all()) == 1


def test_someone_not_in_the_staff_list_gets_no_staff_powers(world, desk):
    asked = maria_asks(world)
    before = len(group_texts(world))
    assert reply(desk, "Ik regel het wel", asked, by=STRANGER)
    assert reply(desk, "/done", asked, by=STRANGER)
    with world.sessions() as s:
        to_maria = s.scalars(select(Outbox.body).where(Outbox.address == MARIA)).all()
        handoff = s.scalars(select(Handoff)).one()
    assert not any("Ik regel het wel" in t for t in to_maria)
    assert handoff.closed_at is None
    assert world.resident(MARIA, "telegram").state == "handoff"
    notes = group_texts(world)[before:]
    assert len(notes) == 2 and all(n.startswith("Niet verstuurd") for n in notes)


def test_done_twice_closes_once_and_says_so(world, desk):
    asked = maria_asks(world)
    reply(desk, "/done", asked)
    reply(desk, "/DONE", asked, by=SOFIE)
    with world.sessions() as s:
        handoff = s.scalars(select(Handoff)).one()
        to_maria = s.scalars(select(Outbox.body).where(Outbox.address == MARIA)).all()
    assert handoff.closed_by == SOFIE
    assert sum("U praat nu weer met de digicheque-bot" in t for t in to_maria) == 1
    assert group_texts(world)[-2:] == [
        f"#{handoff.id} afgesloten door Sofie: de bot neemt het gesprek weer over.",
        f"#{handoff.id} is al afgesloten: dit bericht ging niet naar de bewoner."]
    assert world.resident(MARIA, "telegram").state == "ask_code"


def test_a_resident_who_stopped_gets_nothing_and_staff_are_told(world, desk):
    asked = maria_asks(world)
    maria = world.resident(MARIA, "telegram")
    maria.say("stop")
    maria.say("1")
    assert maria.state == "stopped"
    reply(desk, "Bent u er nog?", asked)
    with world.sessions() as s:
        to_maria = s.scalars(select(Outbox.body).where(Outbox.address == MARIA)).all()
    assert not any("Bent u er nog?" in t for t in to_maria)
    assert group_texts(world)[-1].endswith("niet verstuurd: de bewoner wil geen berichten "
                                           "meer (STOP).")


def test_a_long_answer_for_an_sms_resident_is_refused_with_the_reason(world, desk):
    ann = world.resident("+32470111222")
    ann.say("hallo")
    ann.say("mens")
    asked = next(v for k, v in sent(world).items() if k.startswith("🙋"))
    reply(desk, "x" * 601, asked)
    assert "te lang voor een sms (601 tekens, hoogstens 600)" in group_texts(world)[-1]
    assert reply(desk, "x" * 600, asked)
    with world.sessions() as s:
        last = s.scalars(select(Outbox.body).where(Outbox.address == "+32470111222")
                         .order_by(Outbox.id.desc()).limit(1)).one()
    assert last.endswith("x" * 600)


def test_replies_to_other_messages_and_chatter_are_left_alone(world, desk):
    maria_asks(world)
    before = group_texts(world)
    assert reply(desk, "koffie?", None)                  # not a reply
    # A reply to a colleague's message, even one typed to look like ours ("🙋 #1"):
    # only messages the bot sent (outbox rows with their Telegram id) lead to a hand-off.
    assert reply(desk, "ja graag", "12345")
    assert group_texts(world) == before
    with world.sessions() as s:
        to_maria = s.scalars(select(Outbox.body).where(Outbox.address == MARIA)).all()
    assert not any("koffie" in t or "ja graag" in t for t in to_maria)


def test_other_chats_go_to_the_conversation(world, desk):
    assert desk.handle(Incoming("telegram", "-100555", "x1", "hallo", Kind.GROUP))
    with world.sessions() as s:
        [answer] = s.scalars(select(Outbox.body).where(Outbox.address == "-100555")).all()
    assert "groep" in answer


@pytest.mark.parametrize("text, expected", [
    ('[staff]\ngroup_chat_id = "staff"\n',
     r"\[staff\] group_chat_id: expected a Telegram chat id such as \"-1001234567890\""),
    ('[staff]\ngroup_chat_id = "-100777"\n',
     r"\[staff\] group_chat_id: needs \[staff\] telegram_ids"),
    ('[staff]\ngroup_chat_id = -100777\ntelegram_ids = ["42"]\n',
     r"\[staff\] group_chat_id: needs \[telegram\] token"),
])
def test_a_staff_group_setting_that_cannot_work_is_refused_naming_the_key(tmp_path, text,
                                                                          expected):
    path = tmp_path / "digicheque.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_settings(path, env={})


def test_the_staff_group_is_read_from_the_file_or_the_environment(tmp_path):
    path = tmp_path / "digicheque.toml"
    path.write_text('[staff]\ngroup_chat_id = -1001234567890\ntelegram_ids = ["42"]\n'
                    '[telegram]\ntoken = "1:x"\n', encoding="utf-8")
    assert load_settings(path, env={}).staff.group_chat_id == "-1001234567890"
    settings = load_settings(path, env={"DIGICHEQUE_STAFF_GROUP_CHAT_ID": ""})
    assert settings.staff.group_chat_id == ""


def test_staff_sending_done_at_once_close_it_once(world):
    """Real threads, each with its own connection: one /done wins, the others are told."""
    desk = StaffDesk(world.engine, GROUP, [SOFIE, "43", "44", "45"])
    asked = maria_asks(world)
    staff = (SOFIE, "43", "44", "45")
    at_once(lambda i: reply(desk, "/done", asked, by=staff[i]), len(staff))
    with world.sessions() as s:
        handoff = s.scalars(select(Handoff)).one()
        to_maria = s.scalars(select(Outbox.body).where(Outbox.address == MARIA)).all()
    notes = group_texts(world)[-4:]
    assert sum("afgesloten door" in n for n in notes) == 1
    assert sum("is al afgesloten" in n for n in notes) == 3
    assert handoff.closed_by in (SOFIE, "43", "44", "45")
    assert sum("U praat nu weer met de digicheque-bot" in t for t in to_maria) == 1


# ------------------------------------------- a notice from staff while a resident waits

def booked_and_waiting(world: World) -> tuple[object, str]:
    """Ann booked Wednesday 2 December 13:00 and then asked for a person: (Ann, the
    request's Telegram message id)."""
    world.coach(capacity=5)
    ann = world.resident("+32470111222")
    ann.up_to_topic(world.cheque(seed=3))
    for text in ("2", "2", "1"):
        ann.say(text)
    ann.say("4")          # the visit menu's "a person"
    assert ann.state == "handoff"
    return ann, next(v for k, v in sent(world).items() if k.startswith("🙋"))


def test_a_moved_visit_is_told_and_the_resident_keeps_waiting_for_staff(world):
    ann, _ = booked_and_waiting(world)
    later = world.slot_at(local(date(2026, 12, 3), 9))
    with world.sessions.begin() as s:
        visit = s.scalars(select(Booking)).one()
        move_visit(s, visit, later.id, world.clock(), world.engine.reminders)
        [told] = world.engine.push(s, visit.resident_id, notices.moved(visit.id),
                                   world.clock())
    assert "verplaatst" in told.body and "donderdag 3 december om 09:00" in told.body
    assert ann.state == "handoff"
    ann.say("is dat goed zo?")
    assert group_texts(world)[-1].endswith("“is dat goed zo?”")   # still to staff


def test_done_after_a_closed_slot_keeps_the_resident_choosing_a_time(world, desk):
    ann, asked = booked_and_waiting(world)
    with world.sessions.begin() as s:
        visit = s.scalars(select(Booking)).one()
        s.get(Slot, visit.slot_id).closed_at = world.clock()
        world.engine.push(s, visit.resident_id, notices.slot_closed(visit.id),
                          world.clock())
    assert ann.state == "ask_time"          # new times to choose from: the bot reads it
    assert reply(desk, "/done", asked)
    with world.sessions() as s:
        told = s.scalars(select(Outbox).where(Outbox.address == "+32470111222")
                         .order_by(Outbox.id.desc()).limit(1)).one().body
    assert told.startswith("De medewerker heeft uw vraag afgesloten.")
    assert "1 wo 2 dec 09:00-10:30" in told  # the times again, not the visit menu
    assert ann.state == "ask_time"
    assert "verplaatsen naar woensdag 2 december van 09:00" in ann.say("1")
