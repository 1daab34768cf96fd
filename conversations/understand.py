"""Read what residents type: numbered choices, yes/no, global words, their language.

Residents write the way they speak, in Dutch (the default), French or English, with typos,
extra letters ("jaaa"), emoji ("👍") and no punctuation. Every reader here is forgiving
about form and strict about meaning: it returns a value only when the message means it,
and None otherwise, so the conversation can repeat the question instead of guessing.

Pure: no database, no I/O, no clock. Whatever needs the time takes `now` (aware) and the
resident's `tz`. Word lists are data at the top of each section. Dates and times have
their own module, `conversations.dates` (re-exported here for the readers' one name).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from conversations.dates import When, rank_slots, read_when, read_when_not, warm_up
from conversations.dutch_time import fold

__all__ = [
    "Choice", "Global", "When", "fold", "greeting_language", "rank_slots", "read_choice",
    "read_global",
    "read_when", "read_when_not", "read_yes_no", "sentence_language", "warm_up",
]


def _plain(text: str) -> str:
    """Folded words only: punctuation, symbols and emoji become spaces."""
    kept = "".join(char if char.isalnum() else " " for char in fold(text))
    return " ".join(kept.split())


def _squeeze(word: str) -> str:
    """"jaaaa" -> "ja", "nooo" -> "no": residents stretch words for emphasis."""
    return re.sub(r"(.)\1+", r"\1", word)


def _phrases(table: Iterable[str]) -> set[tuple[str, ...]]:
    return {tuple(_plain(phrase).split()) for phrase in table}


def _cover(tokens: list[str], tables: dict[str, set[tuple[str, ...]]]) -> list[str] | None:
    """Split tokens into known phrases, longest first; the name of each table hit, or None.

    None means some word is in no table: the message says more than we understand.
    """
    longest = max(len(phrase) for table in tables.values() for phrase in table)
    found, i = [], 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            chunk = tuple(tokens[i:i + size])
            name = next((name for name, table in tables.items() if chunk in table), None)
            if name is not None:
                found.append(name)
                i += size
                break
        else:
            return None
    return found


# --- Numbered choices --------------------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8,
    "negen": 9, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "seven": 7, "eight": 8, "nine": 9,
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6,
    "zevende": 7, "achtste": 8, "negende": 9, "premier": 1, "premiere": 1, "deuxieme": 2,
    "second": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
    "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "first": 1, "third": 3,
    "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}
# Words around the number that change nothing: "nr 2", "ik kies 2", "le 2 svp".
CHOICE_PREFIXES = {
    "nr", "nummer", "number", "no", "num", "numero", "n", "optie", "option", "keuze",
    "choix", "choice", "de", "het", "le", "la", "the", "ik", "neem", "kies", "wil", "je",
    "prends", "choisis", "i", "take", "choose", "pick", "want",
}
CHOICE_SUFFIXES = {
    "graag", "aub", "alsjeblieft", "alstublieft", "svp", "stp", "please", "pls", "merci",
    "bedankt", "dank", "u", "je", "thanks", "thank", "you", "ok", "oke", "okay",
}
_ORDINAL_DIGITS = re.compile(r"(\d{1,2})(?:e|de|ste|st|nd|rd|th|er|re|eme|ieme)?")


@dataclass(frozen=True)
class Choice:
    """One option of a numbered question: shown as its number and first label."""

    value: str
    labels: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def _number_in(plain: str) -> int | None:
    """The one number the message is about ("2", "nr 2", "twee", "de tweede graag")."""
    numbers = []
    for token in plain.split():
        digits = _ORDINAL_DIGITS.fullmatch(token)
        if digits:
            numbers.append(int(digits[1]))
        elif token in NUMBER_WORDS:
            numbers.append(NUMBER_WORDS[token])
        elif token not in CHOICE_PREFIXES and token not in CHOICE_SUFFIXES:
            return None
    return numbers[0] if len(numbers) == 1 else None


def read_choice(text: str, options: Sequence[Choice]) -> str | None:
    """The value of the option the resident picked, or None.

    Accepted, in this order: a label or keyword said exactly (case, accents, punctuation
    and emoji ignored); the option's number 1..n as digits, keycap emoji, word or
    ordinal, with a few polite words around it; a keyword inside a longer message when
    it points at exactly one option ("ik wil annuleren").
    """
    plain = _plain(text[:500])
    if not plain:
        return None
    for option in options:
        if plain in {_plain(word) for word in (*option.labels, *option.keywords)}:
            return option.value
    number = _number_in(plain)
    if number is not None:
        return options[number - 1].value if 1 <= number <= len(options) else None
    padded = f" {plain} "
    hits = {option.value for option in options for keyword in option.keywords
            if _plain(keyword) and f" {_plain(keyword)} " in padded}
    return hits.pop() if len(hits) == 1 else None


# --- Yes and no --------------------------------------------------------------------------

YES_WORDS = (
    "ja", "jep", "jup", "jawel", "jazeker", "zeker", "natuurlijk", "tuurlijk", "ok", "oke",
    "okay", "okey", "oki", "okido", "okidoki", "goed", "is goed", "dat is goed", "goed zo",
    "prima", "perfect", "super", "top", "akkoord", "in orde", "graag", "doe maar",
    "geen probleem", "correct", "juist", "klopt", "dat klopt", "goe", "is goe", "oke dan",
    "ja zeker",
    "oui", "ouais", "ouai", "si", "d accord", "daccord", "dac", "bien sur", "volontiers",
    "parfait", "tres bien", "c est bon", "ca marche", "exact", "exactement",
    "certainement", "avec plaisir", "pas de probleme", "pas de souci",
    "jaja", "jajaja", "ja ja", "yes yes", "oui oui",
    "yes", "yep", "yup", "yeah", "ya", "y", "sure", "of course", "fine", "alright",
    "all right", "right", "no problem", "great", "good",
)
NO_WORDS = (
    "nee", "neen", "nein", "niet", "liever niet", "zeker niet", "helemaal niet", "nooit",
    "niet goed", "non", "pas", "pas du tout", "jamais", "surtout pas",
    "no", "nope", "nah", "n", "not", "never", "not really", "absolutely not",
)
# Words that may stand beside a yes or no without changing it: "ja graag", "non merci".
POLITE_WORDS = (
    "dank", "u", "je", "bedankt", "dank u wel", "merci", "beaucoup", "thanks", "thank",
    "you", "please", "aub", "svp", "stp", "hoor", "dan", "wel", "voor", "mij", "me",
    "pour", "moi", "for", "by", "dat", "is", "het", "c", "est", "ca", "it", "that", "s",
)
# Words that repeat what the question asked, around a yes or no: "ja, annuleer maar",
# "ja boek het maar", "nee toch maar niet", "this one is fine", "oui ce numéro".
ECHO_WORDS = (
    "maar", "toch", "doe", "zo", "dit", "deze", "die", "nummer", "boek", "boeken",
    "annuleer", "annuleren", "verzet", "verzetten", "verplaats", "verplaatsen", "bevestig",
    "alles", "helemaal", "da", "das", "ce", "cette", "celui", "ci", "numero", "reserver",
    "reservez",
    "annuler", "annulez", "deplacer", "confirme", "tout", "this", "one", "number", "book",
    "go", "ahead", "cancel", "move", "confirm", "all", "laat", "laten", "staan", "houden",
    "garder", "gardez", "keep",
)
YES_EMOJI = set("👍✅✔☑👌🆗🙆")
NO_EMOJI = set("👎❌✖🚫⛔🙅❎")

_YES_NO_TABLES = {
    name: {tuple(_squeeze(word) for word in phrase) for phrase in _phrases(table)}
    for name, table in (("yes", YES_WORDS), ("no", NO_WORDS),
                        ("polite", POLITE_WORDS + ECHO_WORDS))
}


def read_yes_no(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (numbers included).

    The whole message must be yes/no words, yes/no emoji and polite words; a message
    with both a yes and a no ("ja nee"), or with words we don't know ("ja maar liever
    dinsdag"), is None so the question gets asked again.
    """
    if len(text) > 200:
        return None
    symbols = set(fold(text))
    tokens = [_squeeze(token) for token in _plain(text).split()]
    found = _cover(tokens, _YES_NO_TABLES)
    if found is None:
        return None
    says_yes = "yes" in found or bool(symbols & YES_EMOJI)
    says_no = "no" in found or bool(symbols & NO_EMOJI)
    return says_yes if says_yes != says_no else None


def words_of(text: str) -> list[str]:
    """The message's words, folded: case, accents, punctuation and emoji left out."""
    return _plain(text).split()


def says_any(text: str, phrases: Sequence[str]) -> bool:
    """Whether one of `phrases` stands in the message as whole words ("ik weet het nog
    niet" holds "weet het nog niet"); case, accents and punctuation ignored."""
    padded = f" {_plain(text[:500])} "
    return any(f" {_plain(phrase)} " in padded for phrase in phrases if _plain(phrase))


def phrase_with_yes(text: str, phrases: Sequence[str]) -> bool:
    """Whether the message is one of `phrases` with nothing around it but yes and polite
    words: "ja, ik ben er", "yes I'll be there, thanks". A word of anything else makes
    it no such message ("ik ben er niet", "I'll be there but later"), and so does a no."""
    if len(text) > 200:
        return False
    padded = f" {_plain(text)} "
    for phrase in phrases:
        plain = _plain(phrase)
        if not plain or f" {plain} " not in padded:
            continue
        rest = [_squeeze(token) for token in padded.replace(f" {plain} ", " ", 1).split()]
        found = _cover(rest, _YES_NO_TABLES)
        if found is not None and "no" not in found:
            return True
    return False


# --- Global words ------------------------------------------------------------------------

class Global(StrEnum):
    """A word every state understands (G7)."""

    HELP = "help"
    MENU = "menu"
    STOP = "stop"
    START = "start"
    PERSON = "person"
    LANG_NL = "lang_nl"
    LANG_FR = "lang_fr"
    LANG_EN = "lang_en"


# Twilio opts a number out on STOP, STOPALL, UNSUBSCRIBE, END, QUIT, REVOKE, OPTOUT and
# CANCEL: we agree on all but CANCEL, which residents use for a visit ("annuleren" too).
GLOBAL_WORDS: dict[Global, tuple[str, ...]] = {
    Global.HELP: ("hulp", "help", "helpen", "hulp nodig", "help me", "aide", "au secours",
                  "info", "informatie", "information", "informations"),
    Global.MENU: ("menu", "hoofdmenu", "accueil", "menu principal", "main menu"),
    Global.STOP: ("stop", "stoppen", "uitschrijven", "afmelden", "arret", "arreter",
                  "desinscrire", "desabonner", "unsubscribe", "stopall", "end", "quit",
                  "revoke", "optout", "opt out"),
    Global.START: ("start", "unstop", "demarrer"),
    Global.PERSON: ("mens", "een mens", "persoon", "een persoon", "medewerker",
                    "een medewerker", "iemand", "helpdesk", "de helpdesk", "bellen",
                    "bel mij", "bel me", "iemand spreken",
                    "met iemand spreken", "humain", "un humain", "personne", "conseiller",
                    "un conseiller", "parler a quelqu un", "appelez moi", "human",
                    "a human", "person", "a person", "real person", "agent", "operator",
                    "talk to someone", "call me"),
    Global.LANG_NL: ("nl", "nederlands", "vlaams", "dutch", "neerlandais", "🇳🇱"),
    Global.LANG_FR: ("fr", "francais", "frans", "french", "🇫🇷"),
    Global.LANG_EN: ("en", "english", "engels", "anglais", "🇬🇧", "🇺🇸"),
}
# Said around a global word without changing it: "help aub", "stop please".
GLOBAL_POLITE = {"aub", "alsjeblieft", "alstublieft", "svp", "stp", "please", "pls", "graag"}

_GLOBALS = {phrase: meaning for meaning, phrases in GLOBAL_WORDS.items()
            for phrase in phrases}
_GLOBALS_PLAIN = {_plain(phrase): meaning for phrase, meaning in _GLOBALS.items()
                  if _plain(phrase)}
_BOT_COMMAND = re.compile(r"/([a-z_]+)(?:@\w+)?")


def read_global(text: str) -> Global | None:
    """The global word the whole message is, or None.

    "hulp", "STOP!", "/start@digichequebot", "Français", "?" and "🇫🇷" count;
    "ik wil hulp met mijn gsm" does not (the word must be the message, bar "aub"/"please").
    A Telegram deep link ("/start CODE") is not START: the engine reads its code.
    """
    if len(text) > 100:
        return None
    folded = fold(text)
    if folded and set(folded) <= {"?", " "}:
        return Global.HELP
    command = _BOT_COMMAND.fullmatch(folded)
    if command:
        folded = command[1]
    if folded.replace(" ", "") in _GLOBALS:
        return _GLOBALS[folded.replace(" ", "")]
    tokens = [token for token in _plain(folded).split() if token not in GLOBAL_POLITE]
    return _GLOBALS_PLAIN.get(" ".join(tokens))


# A first message that is a greeting tells the language a resident speaks best; a
# greeting later is just a greeting, and deserves no "I do not understand".
_GREETINGS = {
    "nl": ("hallo", "hoi", "dag", "goeiedag", "goedendag", "goedemorgen", "goeiemorgen",
           "goedemiddag", "goedenavond", "hey daar"),
    "fr": ("bonjour", "bonsoir", "salut", "coucou", "allo", "bonjour madame",
           "bonjour monsieur"),
    "en": ("hello", "hi", "hey", "good morning", "good afternoon", "good evening"),
}


def greeting_language(text: str) -> str | None:
    """'Bonjour!' -> 'fr', 'Hello there' -> 'en', 'hoi' -> 'nl'; None for anything else."""
    words = "".join(c if c.isalnum() else " " for c in fold(text)).split()
    if not words or len(words) > 6:
        return None
    for language, greetings in _GREETINGS.items():
        for greeting in greetings:
            parts = greeting.split()
            if words[:len(parts)] == parts:
                return language
    return None


# Short words that give a sentence's language away: "Hi, I got a voucher from the city".
_SENTENCE_WORDS = {
    "nl": frozenset("ik de het een mijn is en van heb wil niet wat hoe kan ik u uw ook "
                    "dag hallo goeiedag brief gekregen stad hulp graag".split()),
    "fr": frozenset("je j le la les un une mon ma est et de des bonjour voici pas ai "
                    "avec pour lettre ville aide recu merci vous".split()),
    "en": frozenset("i the a my is and of have got want not what how can you your hi "
                    "hello voucher letter city help from please this".split()),
}


def sentence_language(text: str) -> str | None:
    """The language a first message is written in, when its small words say so clearly.

    A greeting decides alone ("Bonjour", "Hi"); otherwise the language with the most
    small words wins, if it has two or more and more than any other.
    """
    greeting = greeting_language(text)
    words = "".join(c if c.isalnum() else " " for c in fold(text[:300])).split()
    if greeting is not None or not words:
        return greeting
    for language, greetings in _GREETINGS.items():   # "Hi, I got a voucher..."
        if any(words[:len(g.split())] == g.split() for g in greetings if g != "dag"):
            return language
    scores = sorted(((sum(w in table for w in words), language)
                     for language, table in _SENTENCE_WORDS.items()), reverse=True)
    (best, language), (second, _) = scores[0], scores[1]
    return language if best >= 2 and best > second else None

