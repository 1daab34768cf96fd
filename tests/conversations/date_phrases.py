"""Phrases residents write for "when?", with the exact When each must give.

Clocks (Europe/Brussels):
  TUE   Tuesday 1 December 2026 09:00 (the default)
  FRI   Friday 27 November 2026 09:00 (dates that already passed this year)
  NYE   Monday 28 December 2026 09:00 (the turn of the year)
  DST   Friday 26 March 2027 09:00 (summer time starts Sunday 28 March)
  NIGHT 1 December 2026 23:30 UTC, which is already Wednesday 2 December in Brussels
  MON   Monday 7 December 2026 09:00 ("volgende dinsdag" is tomorrow: our choice)

Days are ISO dates; "a..b" is every day from a to b; times are "HH:MM"; start-end is the
half-open window of wanted start times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conversations.understand import When

BRUSSELS = ZoneInfo("Europe/Brussels")
CLOCKS = {
    "TUE": datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS),
    "FRI": datetime(2026, 11, 27, 9, 0, tzinfo=BRUSSELS),
    "NYE": datetime(2026, 12, 28, 9, 0, tzinfo=BRUSSELS),
    "DST": datetime(2027, 3, 26, 9, 0, tzinfo=BRUSSELS),
    "NIGHT": datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
    "MON": datetime(2026, 12, 7, 9, 0, tzinfo=BRUSSELS),
}


def _days(spec: str | None) -> tuple[date, ...] | None:
    if spec is None:
        return None
    days: list[date] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("..")
        start = date.fromisoformat(first)
        end = date.fromisoformat(last) if last else start
        days += [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return tuple(sorted(days))


def W(days: str | None = None, start: str | None = None, end: str | None = None,
      exact: str | None = None, asap: bool = False,
      window: tuple[str, str] | None = None) -> When:
    """A When from readable strings; `window` gives start and end at once."""
    def clock(text: str | None) -> time | None:
        return None if text is None else time.fromisoformat(text)
    if window is not None:
        start, end = window
    return When(days=_days(days), start=clock(start), end=clock(end), exact=clock(exact),
                asap=asap)


MORNING = ("08:00", "12:00")
NOON = ("12:00", "14:00")
AFTERNOON = ("12:00", "18:00")
EVENING = ("18:00", "21:00")
# "niet op maandag" said on Tuesday 1 December: the next two weeks without Mondays.
NOT_MONDAY = "2026-12-02..2026-12-06, 2026-12-08..2026-12-13, 2026-12-15"

# (phrase, language, clock, expected When; None = not a time expression)
PHRASES: list[tuple[str, str, str, When | None]] = [
    # --- Dutch: days ---
    ("dinsdag", "nl", "TUE", W("2026-12-08")),
    ("Dinsdag!", "nl", "TUE", W("2026-12-08")),
    ("di", "nl", "TUE", W("2026-12-08")),
    ("woensdag", "nl", "TUE", W("2026-12-02")),
    ("maandag", "nl", "TUE", W("2026-12-07")),
    ("zaterdag", "nl", "TUE", W("2026-12-05")),
    ("vandaag", "nl", "TUE", W("2026-12-01")),
    ("morgen", "nl", "TUE", W("2026-12-02")),
    ("overmorgen", "nl", "TUE", W("2026-12-03")),
    ("volgende week", "nl", "TUE", W("2026-12-07..2026-12-13")),
    ("deze week", "nl", "TUE", W("2026-12-01..2026-12-06")),
    ("volgende dinsdag", "nl", "TUE", W("2026-12-08")),
    ("komende dinsdag", "nl", "TUE", W("2026-12-08")),
    ("volgende week dinsdag", "nl", "TUE", W("2026-12-08")),
    ("dinsdag volgende week", "nl", "TUE", W("2026-12-08")),
    ("woensdag of donderdag", "nl", "TUE", W("2026-12-02, 2026-12-03")),
    ("begin volgende week", "nl", "TUE", W("2026-12-07..2026-12-09")),
    ("eind deze week", "nl", "TUE", W("2026-12-03..2026-12-06")),
    ("het weekend", "nl", "TUE", W("2026-12-05..2026-12-06")),
    ("volgende maand", "nl", "TUE", W("2027-01-01..2027-01-31")),
    ("in december", "nl", "TUE", W("2026-12-01..2026-12-31")),
    ("begin januari", "nl", "TUE", W("2027-01-01..2027-01-10")),
    ("over 3 dagen", "nl", "TUE", W("2026-12-04")),
    ("over twee weken", "nl", "TUE", W("2026-12-14..2026-12-20")),
    ("niet op maandag", "nl", "TUE", W(NOT_MONDAY)),
    ("Goedemorgen, liefst dinsdag", "nl", "TUE", W("2026-12-08")),
    ("goede morgen, donderdag graag", "nl", "TUE", W("2026-12-03")),
    ("dinsdg", "nl", "TUE", W("2026-12-08")),
    ("ma 7/12", "nl", "TUE", W("2026-12-07")),
    ("pas dinsdag", "nl", "TUE", W("2026-12-08")),
    # --- Dutch: explicit dates ---
    ("3/12", "nl", "TUE", W("2026-12-03")),
    ("3-12", "nl", "TUE", W("2026-12-03")),
    ("3.12", "nl", "TUE", W("2026-12-03")),
    ("03/12/2026", "nl", "TUE", W("2026-12-03")),
    ("3-12-26", "nl", "TUE", W("2026-12-03")),
    ("3 december", "nl", "TUE", W("2026-12-03")),
    ("3 dec", "nl", "TUE", W("2026-12-03")),
    ("3 dec.", "nl", "TUE", W("2026-12-03")),
    ("3de december", "nl", "TUE", W("2026-12-03")),
    ("1 december", "nl", "TUE", W("2026-12-01")),
    ("op 15 januari", "nl", "TUE", W("2027-01-15")),
    ("3 december 2027", "nl", "TUE", W("2027-12-03")),
    ("de 15de", "nl", "TUE", W("2026-12-15")),
    ("8 sept", "nl", "TUE", W("2027-09-08")),
    # --- Dutch: parts of the day ---
    ("dinsdag namiddag", "nl", "TUE", W("2026-12-08", window=AFTERNOON)),
    ("dinsdagnamiddag", "nl", "TUE", W("2026-12-08", window=AFTERNOON)),
    ("donderdagvoormiddag", "nl", "TUE", W("2026-12-03", window=MORNING)),
    ("donderdag in de voormiddag", "nl", "TUE", W("2026-12-03", window=MORNING)),
    ("maandagochtend", "nl", "TUE", W("2026-12-07", window=MORNING)),
    ("maandag morgen", "nl", "TUE", W("2026-12-07", window=MORNING)),
    ("vrijdagavond", "nl", "TUE", W("2026-12-04", window=EVENING)),
    ("dinsdagmiddag", "nl", "TUE", W("2026-12-08", window=NOON)),
    ("morgen namiddag", "nl", "TUE", W("2026-12-02", window=AFTERNOON)),
    ("morgenvroeg", "nl", "TUE", W("2026-12-02", window=MORNING)),
    ("morgen vroeg", "nl", "TUE", W("2026-12-02", window=MORNING)),
    ("vanavond", "nl", "TUE", W("2026-12-01", window=EVENING)),
    ("'s avonds", "nl", "TUE", W(window=EVENING)),
    ("s morgens", "nl", "TUE", W(window=MORNING)),
    ("’s middags", "nl", "TUE", W(window=AFTERNOON)),
    ("na de middag", "nl", "TUE", W(window=AFTERNOON)),
    ("voor de middag", "nl", "TUE", W(window=MORNING)),
    ("middag", "nl", "TUE", W(window=NOON)),
    ("voormiddag", "nl", "TUE", W(window=MORNING)),
    ("dinsdg namidag", "nl", "TUE", W("2026-12-08", window=AFTERNOON)),
    # --- Dutch: clock times ---
    ("morgen om 10u", "nl", "TUE", W("2026-12-02", exact="10:00")),
    ("om 10 uur", "nl", "TUE", W(exact="10:00")),
    ("om tien uur", "nl", "TUE", W(exact="10:00")),
    ("14 uur", "nl", "TUE", W(exact="14:00")),
    ("14u", "nl", "TUE", W(exact="14:00")),
    ("14u30", "nl", "TUE", W(exact="14:30")),
    ("14:30", "nl", "TUE", W(exact="14:30")),
    ("14.30", "nl", "TUE", W(exact="14:30")),
    ("half drie", "nl", "TUE", W(exact="14:30")),
    ("om half 3", "nl", "TUE", W(exact="14:30")),
    ("half negen", "nl", "TUE", W(exact="08:30")),
    ("kwart over tien", "nl", "TUE", W(exact="10:15")),
    ("kwart voor elf", "nl", "TUE", W(exact="10:45")),
    ("vijf voor half drie", "nl", "TUE", W(exact="14:25")),
    ("om 2u", "nl", "TUE", W(exact="14:00")),
    ("om 8u", "nl", "TUE", W(exact="08:00")),
    ("om 08u", "nl", "TUE", W(exact="08:00")),
    ("om 12u", "nl", "TUE", W(exact="12:00")),
    ("vrijdag 10 uur", "nl", "TUE", W("2026-12-04", exact="10:00")),
    ("vrijdag 4/12 10u", "nl", "TUE", W("2026-12-04", exact="10:00")),
    ("dinsdag 3 december om 14u", "nl", "TUE", W("2026-12-03, 2026-12-08", exact="14:00")),
    ("dinsdag 8 december om 14u", "nl", "TUE", W("2026-12-08", exact="14:00")),
    ("3 december om 14u", "nl", "TUE", W("2026-12-03", exact="14:00")),
    ("overmorgen om 10u", "nl", "TUE", W("2026-12-03", exact="10:00")),
    ("morgen om 9 uur", "nl", "TUE", W("2026-12-02", exact="09:00")),
    ("3/12 14:00", "nl", "TUE", W("2026-12-03", exact="14:00")),
    ("di 14u", "nl", "TUE", W("2026-12-08", exact="14:00")),
    ("morgen 's avonds om 8", "nl", "TUE", W("2026-12-02", exact="20:00", window=EVENING)),
    ("vrijdagavond om 7", "nl", "TUE", W("2026-12-04", exact="19:00", window=EVENING)),
    ("'s morgens om 7", "nl", "TUE", W(exact="07:00", window=MORNING)),
    ("morgen namiddag om 3u", "nl", "TUE", W("2026-12-02", exact="15:00", window=AFTERNOON)),
    # --- Dutch: windows ---
    ("na 14u", "nl", "TUE", W(start="14:00")),
    ("voor 11u", "nl", "TUE", W(end="11:00")),
    ("dinsdag na 2", "nl", "TUE", W("2026-12-08", start="14:00")),
    ("vanaf 13u30", "nl", "TUE", W(start="13:30")),
    ("niet voor 14u", "nl", "TUE", W(start="14:00")),
    ("14u of later", "nl", "TUE", W(start="14:00")),
    ("uiterlijk 11u", "nl", "TUE", W(end="11:00")),
    ("ten laatste om 11u", "nl", "TUE", W(end="11:00")),
    ("om 11u ten laatste", "nl", "TUE", W(end="11:00")),
    ("tussen 10 en 12", "nl", "TUE", W(start="10:00", end="12:00")),
    ("morgen tussen 1 en 3", "nl", "TUE", W("2026-12-02", start="13:00", end="15:00")),
    ("van 10 tot 12u", "nl", "TUE", W(start="10:00", end="12:00")),
    ("dinsdag 14-16u", "nl", "TUE", W("2026-12-08", start="14:00", end="16:00")),
    ("voormiddag voor 11u", "nl", "TUE", W(start="08:00", end="11:00")),
    ("namiddag na 15u", "nl", "TUE", W(start="15:00", end="18:00")),
    # --- Dutch: as soon as possible, any time ---
    ("zo snel mogelijk", "nl", "TUE", W(asap=True)),
    ("zsm", "nl", "TUE", W(asap=True)),
    ("z.s.m.", "nl", "TUE", W(asap=True)),
    ("ZSM!!", "nl", "TUE", W(asap=True)),
    ("maakt niet uit", "nl", "TUE", W(asap=True)),
    ("om het even", "nl", "TUE", W(asap=True)),
    ("volgende week, maakt niet uit welke dag", "nl", "TUE",
     W("2026-12-07..2026-12-13", asap=True)),
    ("morgen zo vroeg mogelijk", "nl", "TUE", W("2026-12-02", asap=True)),
    # --- French ---
    ("mardi", "fr", "TUE", W("2026-12-08")),
    ("mardi prochain", "fr", "TUE", W("2026-12-08")),
    ("mar 8/12", "fr", "TUE", W("2026-12-08")),
    ("demain", "fr", "TUE", W("2026-12-02")),
    ("après-demain", "fr", "TUE", W("2026-12-03")),
    ("aujourd'hui", "fr", "TUE", W("2026-12-01")),
    ("la semaine prochaine", "fr", "TUE", W("2026-12-07..2026-12-13")),
    ("cette semaine", "fr", "TUE", W("2026-12-01..2026-12-06")),
    ("début de la semaine prochaine", "fr", "TUE", W("2026-12-07..2026-12-09")),
    ("mercredi ou jeudi", "fr", "TUE", W("2026-12-02, 2026-12-03")),
    ("dans deux semaines", "fr", "TUE", W("2026-12-14..2026-12-20")),
    ("pas lundi", "fr", "TUE", W(NOT_MONDAY)),
    ("le 3", "fr", "TUE", W("2026-12-03")),
    ("le 3 décembre", "fr", "TUE", W("2026-12-03")),
    ("3 decembre", "fr", "TUE", W("2026-12-03")),
    ("1er décembre", "fr", "TUE", W("2026-12-01")),
    ("3 février", "fr", "TUE", W("2027-02-03")),
    ("le 3 décembre à 14h", "fr", "TUE", W("2026-12-03", exact="14:00")),
    ("mardi après-midi", "fr", "TUE", W("2026-12-08", window=AFTERNOON)),
    ("jeudi matin", "fr", "TUE", W("2026-12-03", window=MORNING)),
    ("vendredi soir", "fr", "TUE", W("2026-12-04", window=EVENING)),
    ("demain matin", "fr", "TUE", W("2026-12-02", window=MORNING)),
    ("l'après-midi", "fr", "TUE", W(window=AFTERNOON)),
    ("ce soir", "fr", "TUE", W("2026-12-01", window=EVENING)),
    ("demain à 10h", "fr", "TUE", W("2026-12-02", exact="10:00")),
    ("10h", "fr", "TUE", W(exact="10:00")),
    ("10h30", "fr", "TUE", W(exact="10:30")),
    ("14h", "fr", "TUE", W(exact="14:00")),
    ("dix heures", "fr", "TUE", W(exact="10:00")),
    ("deux heures et demie", "fr", "TUE", W(exact="14:30")),
    ("onze heures moins le quart", "fr", "TUE", W(exact="10:45")),
    ("à midi", "fr", "TUE", W(exact="12:00")),
    ("après 14h", "fr", "TUE", W(start="14:00")),
    ("avant 11h", "fr", "TUE", W(end="11:00")),
    ("jusqu'à 11h", "fr", "TUE", W(end="11:00")),
    ("entre 10h et 12h", "fr", "TUE", W(start="10:00", end="12:00")),
    ("de 10h à 12h", "fr", "TUE", W(start="10:00", end="12:00")),
    ("dès que possible", "fr", "TUE", W(asap=True)),
    ("le plus tôt possible", "fr", "TUE", W(asap=True)),
    ("peu importe", "fr", "TUE", W(asap=True)),
    # --- English ---
    ("tuesday", "en", "TUE", W("2026-12-08")),
    ("next tuesday", "en", "TUE", W("2026-12-08")),
    ("this thursday", "en", "TUE", W("2026-12-03")),
    ("today", "en", "TUE", W("2026-12-01")),
    ("tomorrow", "en", "TUE", W("2026-12-02")),
    ("day after tomorrow", "en", "TUE", W("2026-12-03")),
    ("next week", "en", "TUE", W("2026-12-07..2026-12-13")),
    ("this week", "en", "TUE", W("2026-12-01..2026-12-06")),
    ("early next week", "en", "TUE", W("2026-12-07..2026-12-09")),
    ("not monday", "en", "TUE", W(NOT_MONDAY)),
    ("in two weeks", "en", "TUE", W("2026-12-14..2026-12-20")),
    ("December 3", "en", "TUE", W("2026-12-03")),
    ("3rd of December", "en", "TUE", W("2026-12-03")),
    ("the 3rd", "en", "TUE", W("2026-12-03")),
    ("December 3rd at 2pm", "en", "TUE", W("2026-12-03", exact="14:00")),
    ("tuesday afternoon", "en", "TUE", W("2026-12-08", window=AFTERNOON)),
    ("thursday morning", "en", "TUE", W("2026-12-03", window=MORNING)),
    ("friday evening", "en", "TUE", W("2026-12-04", window=EVENING)),
    ("tonight", "en", "TUE", W("2026-12-01", window=EVENING)),
    ("tomorrow at 10am", "en", "TUE", W("2026-12-02", exact="10:00")),
    ("wed 10am", "en", "TUE", W("2026-12-02", exact="10:00")),
    ("2pm", "en", "TUE", W(exact="14:00")),
    ("10 am", "en", "TUE", W(exact="10:00")),
    ("at 2:30 p.m.", "en", "TUE", W(exact="14:30")),
    ("half past two", "en", "TUE", W(exact="14:30")),
    ("quarter to eleven", "en", "TUE", W(exact="10:45")),
    ("ten o'clock", "en", "TUE", W(exact="10:00")),
    ("after 2pm", "en", "TUE", W(start="14:00")),
    ("before 11", "en", "TUE", W(end="11:00")),
    ("between 10 and 12", "en", "TUE", W(start="10:00", end="12:00")),
    ("from 1 to 3", "en", "TUE", W(start="13:00", end="15:00")),
    ("asap", "en", "TUE", W(asap=True)),
    ("ASAP please", "en", "TUE", W(asap=True)),
    ("as soon as possible", "en", "TUE", W(asap=True)),
    ("any time", "en", "TUE", W(asap=True)),
    # --- A date already past this year rolls to next year ---
    ("3/11", "nl", "FRI", W("2027-11-03")),
    ("3 november", "nl", "FRI", W("2027-11-03")),
    ("27/11", "nl", "FRI", W("2026-11-27")),
    ("3/12", "nl", "FRI", W("2026-12-03")),
    ("maandag", "nl", "FRI", W("2026-11-30")),
    ("vrijdag", "nl", "FRI", W("2026-12-04")),
    ("morgen", "nl", "FRI", W("2026-11-28")),
    ("volgende week", "nl", "FRI", W("2026-11-30..2026-12-06")),
    ("eind deze week", "nl", "FRI", W("2026-11-27..2026-11-29")),
    # --- Around New Year ---
    ("3/1", "nl", "NYE", W("2027-01-03")),
    ("5 januari", "nl", "NYE", W("2027-01-05")),
    ("1/1", "nl", "NYE", W("2027-01-01")),
    ("31 december", "nl", "NYE", W("2026-12-31")),
    ("le 2", "fr", "NYE", W("2027-01-02")),
    ("maandag", "nl", "NYE", W("2027-01-04")),
    ("overmorgen", "nl", "NYE", W("2026-12-30")),
    ("volgende week", "nl", "NYE", W("2027-01-04..2027-01-10")),
    # --- Across the switch to summer time ---
    ("maandag", "nl", "DST", W("2027-03-29")),
    ("zondag", "nl", "DST", W("2027-03-28")),
    ("maandag om 10u", "nl", "DST", W("2027-03-29", exact="10:00")),
    ("volgende week", "nl", "DST", W("2027-03-29..2027-04-04")),
    # --- The local date decides, not the UTC one ---
    ("morgen", "nl", "NIGHT", W("2026-12-03")),
    ("vandaag", "nl", "NIGHT", W("2026-12-02")),
    # --- A weekday is its next occurrence after today, also after "volgende"/"next" ---
    ("volgende dinsdag", "nl", "MON", W("2026-12-08")),
    ("dinsdag", "nl", "MON", W("2026-12-08")),
    ("maandag", "nl", "MON", W("2026-12-14")),
    ("next monday", "en", "MON", W("2026-12-14")),
    ("lundi prochain", "fr", "MON", W("2026-12-14")),
    # --- Saying what does not suit ---
    ("morgen niet", "nl", "TUE", W("2026-12-03..2026-12-15")),
    ("ik kan maandag niet", "nl", "TUE", W(NOT_MONDAY)),
    ("volgende week niet", "nl", "TUE", W("2026-12-02..2026-12-06, 2026-12-14..2026-12-15")),
    ("niet op 3/12", "nl", "TUE", W("2026-12-02, 2026-12-04..2026-12-15")),
    ("liefst niet in de voormiddag", "nl", "TUE", W(start="12:00")),
    ("niet 's avonds", "nl", "TUE", W(end="18:00")),
    ("dinsdag, niet in de namiddag", "nl", "TUE", W("2026-12-08", end="12:00")),
    ("not in the morning", "en", "TUE", W(start="12:00")),
    # --- Longer messages, as residents write them ---
    ("Goedemiddag, kan de coach dinsdag 8 december in de namiddag komen?", "nl", "TUE",
     W("2026-12-08", window=AFTERNOON)),
    ("op dinsdag 8/12 om 10u30 aub", "nl", "TUE", W("2026-12-08", exact="10:30")),
    ("vanaf 16u30 ben ik thuis", "nl", "TUE", W(start="16:30")),
    ("volgende week woensdag in de voormiddag", "nl", "TUE", W("2026-12-09", window=MORNING)),
    ("woensdag rond 2u", "nl", "TUE", W("2026-12-02", exact="14:00")),
    ("Dinsdagvoormiddag om half tien", "nl", "TUE", W("2026-12-08", exact="09:30",
                                                       window=MORNING)),
    ("mardi 8 décembre à 10h30", "fr", "TUE", W("2026-12-08", exact="10:30")),
    ("le 10 à 14h30", "fr", "TUE", W("2026-12-10", exact="14:30")),
    ("demain vers midi", "fr", "TUE", W("2026-12-02", exact="12:00")),
    ("mar 8 dec", "fr", "TUE", W("2026-12-08")),
    ("lundi ou mardi matin", "fr", "TUE", W("2026-12-07, 2026-12-08", window=MORNING)),
    ("next monday morning please", "en", "TUE", W("2026-12-07", window=MORNING)),
    ("Wednesday at noon", "en", "TUE", W("2026-12-02", exact="12:00")),
    ("3 pm tomorrow", "en", "TUE", W("2026-12-02", exact="15:00")),
    ("on the 8th at 10", "en", "TUE", W("2026-12-08", exact="10:00")),
    ("December 3 2027", "en", "TUE", W("2027-12-03")),
    # --- Not a time expression ---
    ("", "nl", "TUE", None),
    ("ja", "nl", "TUE", None),
    ("ok 👍", "nl", "TUE", None),
    ("3", "nl", "TUE", None),
    ("14", "nl", "TUE", None),
    ("hallo", "nl", "TUE", None),
    ("goedemorgen", "nl", "TUE", None),
    ("ik wil hulp met mijn gsm", "nl", "TUE", None),
    ("mijn ma helpt mij", "nl", "TUE", None),
    ("ik ben 2 uurtjes weg", "nl", "TUE", None),
    ("32/12", "nl", "TUE", None),
    ("25/13", "nl", "TUE", None),
    ("om 25u", "nl", "TUE", None),
    ("ik zal zorgen", "nl", "TUE", None),
    ("can you do it", "en", "TUE", None),
]

# Slots: Monday to Friday at 09:00, 10:30, 13:00 and 14:30, from Wednesday 2 December
# to Tuesday 15 December 2026 (two weeks), keyed "YYYY-MM-DD HH:MM" in local time.
SLOT_DAYS = [date(2026, 12, 2) + timedelta(days=n) for n in range(14)]
SLOT_TIMES = ["09:00", "10:30", "13:00", "14:30"]
SLOTS = [f"{day.isoformat()} {clock}" for day in SLOT_DAYS if day.weekday() < 5
         for clock in SLOT_TIMES]

# (phrase, language, the best slots in order; as many as listed are asked for)
RANKED: list[tuple[str, str, list[str]]] = [
    ("dinsdag namiddag", "nl", ["2026-12-08 13:00", "2026-12-08 14:30"]),
    ("morgen om 10u", "nl", ["2026-12-02 10:30", "2026-12-02 09:00"]),
    # 09:45: 45 minutes from 09:00 and from 10:30, and a tie goes to the later slot.
    ("morgen om 9u45", "nl", ["2026-12-02 10:30", "2026-12-02 09:00"]),
    ("morgen om 9u40", "nl", ["2026-12-02 09:00", "2026-12-02 10:30"]),
    ("donderdagvoormiddag", "nl", ["2026-12-03 09:00", "2026-12-03 10:30"]),
    ("morgen namiddag", "nl", ["2026-12-02 13:00", "2026-12-02 14:30"]),
    # No evening slots: the latest slot that Friday is nearest.
    ("vrijdagavond", "nl", ["2026-12-04 14:30", "2026-12-04 13:00"]),
    # No Saturday slots: Friday is one day away, Monday two.
    ("zaterdag", "nl", ["2026-12-04 09:00", "2026-12-04 10:30"]),
    # No Sunday slots: Monday is one day away, Friday two.
    ("zondag", "nl", ["2026-12-07 09:00"]),
    ("volgende week", "nl", ["2026-12-07 09:00", "2026-12-07 10:30"]),
    ("na 14u", "nl", ["2026-12-02 14:30", "2026-12-03 14:30"]),
    ("voor 11u", "nl", ["2026-12-02 09:00", "2026-12-02 10:30", "2026-12-03 09:00"]),
    ("zo snel mogelijk", "nl", ["2026-12-02 09:00", "2026-12-02 10:30", "2026-12-02 13:00"]),
    ("om 12u", "nl", ["2026-12-02 13:00", "2026-12-03 13:00"]),
    ("dinsdag 3 december om 14u", "nl", ["2026-12-03 14:30", "2026-12-08 14:30"]),
    ("3/12", "fr", ["2026-12-03 09:00"]),
    ("mardi après-midi", "fr", ["2026-12-08 13:00"]),
    ("vendredi à 14h", "fr", ["2026-12-04 14:30", "2026-12-04 13:00"]),
    ("tuesday after 2pm", "en", ["2026-12-08 14:30", "2026-12-09 14:30"]),
    ("next week thursday morning", "en", ["2026-12-10 09:00", "2026-12-10 10:30"]),
    # Tuesday 15 is the last slot day: Monday 14 afternoon is the nearest other day.
    ("dinsdag 15 december namiddag", "nl", ["2026-12-15 13:00", "2026-12-15 14:30",
                                            "2026-12-14 13:00"]),
    ("16 december", "nl", ["2026-12-15 09:00"]),
]
