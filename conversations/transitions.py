"""The conversation's transitions, declared: the drawing (flows.mmd) is made from these.

Each line says which state a message may lead to from which, and why. `ANY` as a source
is every state (the global words, declared once in flows.step); `BACK` as a target is
the state the resident was in before (after "no, go on", START, or "go on").
A state may always stay where it is (a question answered aside, or asked again), so
those loops are drawn only where they say something. The corpus test checks every turn
it runs against this table; `python -m conversations.transitions > conversations/flows.mmd`
draws it again, and a test checks the drawing is up to date.
"""

from __future__ import annotations

from conversations.states import State

ANY = "any"
BACK = "back"
REMINDED = "reminded"   # any state, the message answering a reminder or the follow-up
S = State

TRANSITIONS: tuple[tuple[str, str, str], ...] = (
    ("[*]", S.ASK_CODE, "first message (welcome; a code in it is read)"),
    ("[*]", S.ASK_POSTCODE, "first message with a good code"),
    ("[*]", S.MENU, "has a booked visit"),
    (S.ASK_CODE, S.ASK_CODE, "typo / unknown / used / void / expired / locked / no code / a word"),
    (S.ASK_CODE, S.ASK_POSTCODE, "good code (also inside a sentence)"),
    (S.ASK_CODE, S.MENU, "words of a resident with a visit"),
    (S.ASK_POSTCODE, S.ASK_POSTCODE, "outside the city / only a street (kept)"),
    (S.ASK_POSTCODE, S.ASK_STREET, "postcode or place name"),
    (S.ASK_POSTCODE, S.ASK_PHONE, "postcode + street in one message (Telegram)"),
    (S.ASK_POSTCODE, S.ASK_TOPIC, "postcode + street (SMS: the number written from is the phone)"),
    (S.ASK_POSTCODE, S.CONFIRM, "changing the address, slot chosen"),
    (S.ASK_POSTCODE, S.ASK_TIME, "changing the address, no slot yet"),
    (S.ASK_STREET, S.ASK_PHONE, "street + number (Telegram)"),
    (S.ASK_STREET, S.ASK_TOPIC, "street + number (SMS)"),
    (S.ASK_STREET, S.CONFIRM, "changing the address, slot chosen"),
    (S.ASK_PHONE, S.ASK_TOPIC, "a number (SMS: 1 = this number, \"oui ce numéro\")"),
    (S.ASK_PHONE, S.CONFIRM, "changing the phone, slot chosen"),
    (S.ASK_TOPIC, S.ASK_TOPIC_TEXT, "7 something else"),
    (S.ASK_TOPIC, S.ASK_TIME, "topic, or free words kept as \"something else\""),
    (S.ASK_TOPIC, S.CONFIRM, "changing the topic, slot chosen"),
    (S.ASK_TOPIC_TEXT, S.ASK_TIME, "a few words"),
    (S.ASK_TOPIC_TEXT, S.CONFIRM, "changing the topic, slot chosen"),
    (S.ASK_TIME, S.ASK_TIME, "another day / nearest to \"dinsdag namiddag\""),
    (S.ASK_TIME, S.CONFIRM, "a number, or an exact fit (\"die van 1 uur\": on the days offered)"),
    (S.ASK_TIME, S.MENU, "nothing free, 1 menu"),
    (S.ASK_TIME, S.ASK_CODE, "nothing free, 1 menu, no visit"),
    (S.CONFIRM, S.MENU, "1 yes (VisitBooked / VisitMoved)"),
    (S.CONFIRM, S.ASK_TIME,
     "2 another time, \"non je veux changer la date\", \"liever de week erna\" / slot taken"),
    (S.CONFIRM, S.CHANGE_DETAILS, "3 change details"),
    (S.CONFIRM, S.ASK_CODE, "the cheque was used meanwhile"),
    (S.CHANGE_DETAILS, S.ASK_POSTCODE, "1 address"),
    (S.CHANGE_DETAILS, S.ASK_PHONE, "2 phone"),
    (S.CHANGE_DETAILS, S.ASK_TOPIC, "3 topic"),
    (S.MENU, S.MENU, "1 see, \"wanneer?\" / 4 a person / thanks / questions / past the deadline"),
    (S.MENU, S.ASK_TIME, "2 move, \"verzetten\", \"ik kan niet komen\" / 5 another visit"),
    (S.MENU, S.CONFIRM, "a move with a day that fits (\"kan het donderdag?\")"),
    (S.MENU, S.CONFIRM_CANCEL, "3 cancel, \"afzeggen\", \"geen hulp meer nodig\""),
    (S.MENU, S.CHANGE_PHONE, "\"mijn nummer is veranderd\", a bare new number"),
    (S.MENU, S.ASK_CODE, "\"nog een brief\" / no visit any more"),
    (S.MENU, S.ASK_POSTCODE, "a second code, also inside a sentence"),
    (S.MENU, S.WHICH_VISIT, "move or cancel with several visits, none named"),
    (S.WHICH_VISIT, S.ASK_TIME, "move: 1 / 2 / \"die van 9 december\""),
    (S.WHICH_VISIT, S.CONFIRM, "move with a day that fits"),
    (S.WHICH_VISIT, S.CONFIRM_CANCEL, "cancel: 1 / 2 / \"die van 9 december\""),
    (S.WHICH_VISIT, S.MENU, "no / past the deadline"),
    (S.WHICH_VISIT, S.ASK_CODE, "no visit any more"),
    (S.CHANGE_PHONE, S.MENU, "yes (PhoneChanged) / no"),
    (S.CONFIRM_CANCEL, S.ASK_CODE, "1 yes, \"ja, annuleer maar\" (VisitCancelled)"),
    (S.CONFIRM_CANCEL, S.MENU, "2 no, \"nee toch maar niet\" / yes, one of several visits"),
    (S.CONFIRM_CANCEL, S.ASK_TIME, "\"nee, liever een andere dag\""),
    (S.CONFIRM_CANCEL, S.CONFIRM, "\"nee, liever donderdag\""),
    (ANY, S.RESUME, "long silence mid-booking, or MENU before a visit"),
    (S.RESUME, BACK, "1 go on"),
    (S.RESUME, S.ASK_TIME, "1 go on (times go stale: offered again)"),
    (S.RESUME, S.ASK_CODE, "2 start again"),
    (ANY, S.CONFIRM_STOP, "stop"),
    (ANY, S.MENU, "MENU with a visit"),
    (ANY, S.STOPPED, "blocked by the provider (OptedOut)"),
    (S.CONFIRM_STOP, S.STOPPED, "1 yes (OptedOut; says whether the visit stands)"),
    (S.CONFIRM_STOP, BACK, "2 no"),
    # A person, with a staff group (conversations/handoff.py); without one, the city's
    # phone number and the same state's question again.
    (ANY, S.HANDOFF, "a person / 4 a person (HandoffRequested: the staff group is told)"),
    (S.HANDOFF, S.HANDOFF, "forwarded to staff; \"we will answer soon\" at most hourly"),
    (S.HANDOFF, S.MENU, "staff /done (or closed meanwhile): the bot again"),
    (S.HANDOFF, S.ASK_CODE, "staff /done, no visit"),
    (S.STOPPED, S.STOPPED, "a question about the visit gets the visit"),
    (S.STOPPED, BACK, "START (OptedIn)"),
    (S.STOPPED, S.ASK_POSTCODE, "a new code (OptedIn)"),
    # Answers to a reminder or the follow-up arrive in whatever state the resident is
    # (conversations/after_visit.py); "1 ik ben er" / "ja" keeps the state and asks its
    # question again (VisitConfirmed / VisitOutcomeSaid), or goes to the menu from the
    # menu or the code. Drawn from their own source, so `allowed` stays strict for the
    # conversation's own turns.
    (REMINDED, S.MENU, "reminder: 1 ik ben er (VisitConfirmed) / nee / too late to change"),
    (REMINDED, S.ASK_TIME, "reminder: 2 verzetten (that visit)"),
    (REMINDED, S.CONFIRM_CANCEL, "reminder: 3 annuleren (that visit)"),
    (REMINDED, S.NEW_TIME, "follow-up: 2 nee, the coach did not come (no-show, visit back)"),
    (S.NEW_TIME, S.ASK_TIME, "1 yes: times offered (same address, the cheque's visit)"),
    (S.NEW_TIME, S.MENU, "2 no, with another visit"),
    (S.NEW_TIME, S.ASK_CODE, "2 no"),
)

_HEADER = """\
%% The resident's conversation (conversations/flows.py), drawn from
%% conversations/transitions.py: python -m conversations.transitions > conversations/flows.mmd
%% Every state also understands the global words: help, menu, stop, start, a person,
%% NL/FR/EN and sentences such as "je parle français" (declared once in step()).
%% Questions about the service (cost, who comes, may someone be there, what to prepare,
%% is it safe, how long) and "a person" are answered in the states that listen for them,
%% which then ask their own question again. What residents say is read from the intent
%% tables (conversations/messages/intents_*.py).
stateDiagram-v2
    state "any state" as any
    state "back where we were" as back
    state "any state, answering a reminder or the follow-up" as reminded
"""


def allowed(source: str | None, target: str) -> bool:
    """True when a message may lead from `source` (None: a first contact) to `target`."""
    if source == target:
        return True
    pairs = {(a, b) for a, b, _ in TRANSITIONS}
    src = "[*]" if source is None else source
    return (src, target) in pairs or (ANY, target) in pairs or (
        source is not None and (src, BACK) in pairs)


def mermaid() -> str:
    """The drawing of TRANSITIONS, as flows.mmd holds it."""
    return _HEADER + "".join(f"    {a} --> {b}: {label}\n" for a, b, label in TRANSITIONS)


if __name__ == "__main__":
    print(mermaid(), end="")
