"""What a resident means after booking, read from the phrase tables beside the catalogues.

The tables (conversations/messages/intents_<language>.py) list, per intent, what residents
write. One forgiving reader serves every state: case, accents and punctuation are ignored,
a longer word may carry a typo or two ("anuleren", "verzeten"), and other words may stand
between a phrase's words ("ik kan woensdag niet komen" is "kan niet komen"). A phrase
starting with "=" must be the whole message, bar polite filler words.

When several intents match, an action (move, cancel, a new number) beats a new code,
which beats a question, which beats thanks: "dank u, maar ik wil verzetten" means move,
and so does "kan ik nog een keer mijn bezoek verzetten". Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from conversations.dutch_time import fold
from conversations.messages import intents_en, intents_fr, intents_nl


class Intent(StrEnum):
    MOVE = "move"
    CANCEL = "cancel"
    WHEN = "when"
    PERSON = "person"
    THANKS = "thanks"
    NEW_PHONE = "new_phone"
    NEW_ADDRESS = "new_address"
    COST = "cost"
    WHO = "who"
    COMPANY = "company"
    PREPARE = "prepare"
    DURATION = "duration"
    SAFE = "safe"
    NEW_CODE = "new_code"
    NO_CODE = "no_code"        # before booking: no code, cannot read it, a photo of it
    SPEAK_NL = "speak_nl"      # "ik spreek Nederlands": any state, switches the language
    SPEAK_FR = "speak_fr"      # "je parle français"
    SPEAK_EN = "speak_en"      # "sorry I don't speak dutch"
    WHY = "why"                # "waarom moet u dat weten?": what we do with their data
    CANNOT = "cannot"          # "ik ben ziek": they may not be there (move or cancel?)
    CAME = "came"              # the follow-up: "ja hij is geweest", "he came"
    NOT_CAME = "not_came"      # "nee hij kwam niet", "personne n'est venu"


# The questions a short FAQ answers (catalogue key "faq.<intent>").
QUESTIONS = frozenset({Intent.COST, Intent.WHO, Intent.COMPANY, Intent.PREPARE, Intent.SAFE,
                       Intent.DURATION, Intent.NEW_ADDRESS, Intent.WHY})
# Which meaning wins when a message matches several: what the resident wants done first.
# A new code is the weakest action: "nog een keer mijn bezoek verzetten" is a move.
TIER = {Intent.MOVE: 4, Intent.CANCEL: 4, Intent.NEW_CODE: 3, Intent.NEW_PHONE: 4,
        Intent.NEW_ADDRESS: 4, Intent.PERSON: 2, Intent.WHEN: 2, Intent.COST: 2,
        Intent.WHO: 2, Intent.COMPANY: 2, Intent.PREPARE: 2, Intent.SAFE: 2, Intent.DURATION: 2,
        Intent.THANKS: 1, Intent.NO_CODE: 4, Intent.SPEAK_NL: 5, Intent.SPEAK_FR: 5,
        Intent.SPEAK_EN: 5, Intent.CANNOT: 2, Intent.WHY: 2, Intent.CAME: 1, Intent.NOT_CAME: 2}
# A wish for another language, understood in every state.
SPEAK = {Intent.SPEAK_NL: "nl", Intent.SPEAK_FR: "fr", Intent.SPEAK_EN: "en"}
TABLES = {"nl": intents_nl.INTENTS, "fr": intents_fr.INTENTS, "en": intents_en.INTENTS}

# Words that change nothing around a whole-message phrase: "later aub", "svp plus tard".
FILLER = frozenset({
    "aub", "alstublieft", "alsjeblieft", "svp", "stp", "please", "pls", "graag", "liefst",
    "maar", "toch", "even", "eens", "dan", "nu", "ik", "wil", "je", "veux", "voudrais",
    "i", "want", "would", "like", "to", "het", "de", "la", "le", "the", "a", "een",
    "mijn", "mon", "ma", "my", "hallo", "dag", "bonjour", "hello", "hi", "hoi", "ok",
    "oke", "s", "il", "vous", "plait", "beste", "meneer", "mevrouw", "madame", "monsieur",
})
MAX_GAP = 3          # other words allowed between two words of one phrase
MAX_WORDS = 60       # a longer message is read on its first words only


@dataclass(frozen=True)
class _Phrase:
    intent: Intent
    words: tuple[str, ...]
    whole: bool
    language: str


def _tokens(text: str) -> list[str]:
    kept = "".join(char if char.isalnum() else " " for char in fold(text))
    return kept.split()


def _build() -> tuple[tuple[_Phrase, ...], frozenset[str]]:
    phrases = []
    for language, table in TABLES.items():
        for name, said in table.items():
            for phrase in said:
                whole = phrase.startswith("=")
                words = tuple(_tokens(phrase.lstrip("=")))
                if words:
                    phrases.append(_Phrase(Intent(name), words, whole, language))
    vocabulary = frozenset(word for phrase in phrases for word in phrase.words)
    return tuple(phrases), vocabulary


PHRASES, VOCABULARY = _build()
# Phrases by their first word: a message is only checked against phrases that can start
# at one of its words (this runs on most messages, so it must stay cheap).
_BY_FIRST: dict[str, list[tuple[int, _Phrase]]] = {}
for _order, _phrase in enumerate(PHRASES):
    _BY_FIRST.setdefault(_phrase.words[0], []).append((_order, _phrase))


def _allowed_edits(word: str) -> int:
    """Short words must be exact ("kost" is not "kust"); long ones may carry typos."""
    return 0 if len(word) < 5 else 1 if len(word) < 8 else 2


def _within(a: str, b: str, limit: int) -> bool:
    """Optimal string alignment distance (a swap of neighbours is one edit) <= limit."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


@lru_cache(maxsize=8192)
def _meanings(token: str) -> frozenset[str]:
    """The vocabulary words this token is, or is a typo of."""
    if token in VOCABULARY:
        return frozenset({token})
    limit = _allowed_edits(token)
    if limit == 0:
        return frozenset()
    return frozenset(word for word in VOCABULARY
                     if _allowed_edits(word) > 0 and word[0] == token[0]
                     and _within(token, word, min(limit, _allowed_edits(word))))


def _contains(tokens: list[frozenset[str]], words: tuple[str, ...]) -> bool:
    """The phrase's words appear in order, at most MAX_GAP other words between them."""
    for start, meanings in enumerate(tokens):
        if words[0] not in meanings:
            continue
        at, ok = start, True
        for word in words[1:]:
            following = range(at + 1, min(len(tokens), at + 2 + MAX_GAP))
            at = next((k for k in following if word in tokens[k]), -1)
            if at < 0:
                ok = False
                break
        if ok:
            return True
    return False


def read_intent(text: str, language: str = "nl",
                listen: Collection[Intent] | None = None) -> Intent | None:
    """What the message means, among the intents listened for (all when None), or None.

    The resident's own language wins a tie, then the table's order.
    """
    raw = _tokens(text[:600])[:MAX_WORDS]
    if not raw:
        return None
    tokens = [_meanings(token) for token in raw]
    essential = [token for token in raw if token not in FILLER]
    best: tuple[int, int, int] | None = None
    found: Intent | None = None
    candidates = sorted({entry for meanings in tokens for word in meanings
                         for entry in _BY_FIRST.get(word, ())}, key=lambda e: e[0])
    for _, phrase in candidates:
        if listen is not None and phrase.intent not in listen:
            continue
        if phrase.whole:
            if len(essential) != len(phrase.words) or not all(
                    word in _meanings(token)
                    for word, token in zip(phrase.words, essential, strict=True)):
                continue
        elif not _contains(tokens, phrase.words):
            continue
        score = (TIER[phrase.intent], len(phrase.words), int(phrase.language == language))
        if best is None or score > best:
            best, found = score, phrase.intent
    return found


def is_word(text: str) -> bool:
    """True when the message is one word of our tables, or a typo of one ("verzeten")."""
    raw = _tokens(text)
    return len(raw) == 1 and bool(_meanings(raw[0]))
