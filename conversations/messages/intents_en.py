"""What English-speaking residents write when they mean something after booking.

Same intents as intents_nl.py; read by conversations/intents.py ("=" : whole message).
"""

INTENTS: dict[str, tuple[str, ...]] = {
    "why": (
        "why do you need", "why do you ask", "why do you want to know", "what is it for",
        "why my address", "why my number", "what do you do with my",
    ),
    "cannot": (
        "sick", "am ill", "i m ill", "feel ill", "=ill", "hospital", "flu",
        "not feeling well", "unwell",
    ),
    "came": (
        "came", "was here", "showed up", "has been", "helped me", "it was good",
        "it was great", "was great", "was very good", "went well",
    ),
    "not_came": (
        "didn t come", "did not come", "didn t show", "did not show", "no show", "nobody",
        "no one", "never came", "never showed", "wasn t here", "was not here",
        "waited for nothing", "never turned up", "didn t turn up", "did not turn up",
    ),
    "move": (
        "move", "reschedule", "postpone", "change the date", "change the day",
        "change the time", "change my appointment", "change my visit", "another day",
        "another time", "other day", "different day", "another date", "different time",
        "=later", "can t come", "cannot come", "can not come", "won t be home",
        "not be home", "not be there", "not at home", "doesn t suit", "does not suit",
        "can t make it", "cannot make it", "put it off",
    ),
    "cancel": (
        "cancel", "call off", "don t need", "do not need", "no longer need",
        "not needed", "no need", "don t want the visit", "drop the visit",
    ),
    "when": (
        "when", "what time", "which day", "what day", "what date", "=my appointment",
        "=my visit", "=appointment", "see my visit", "see my visits", "=my visits",
        "=my appointments",
    ),
    "person": (
        "call someone", "talk to someone", "speak to someone", "speak with someone",
        "talk to a person", "phone someone", "call the city", "number of the city",
    ),
    "thanks": (
        "thank", "thanks", "thank you", "thx", "ty", "cheers", "very kind", "so kind", "great help",
        "very helpful", "much appreciated",
    ),
    "new_phone": (
        "new number", "new phone", "number changed", "changed my number",
        "different number", "other number", "change my number", "phone number changed",
        "new mobile",
    ),
    "new_address": (
        "moved house", "new address", "i moved", "changed address", "moving house",
        "different address", "change my address", "live somewhere else",
    ),
    "cost": (
        "cost", "costs", "price", "pay", "free", "free of charge", "how much", "charge", "money",
        "fee",
    ),
    "who": (
        "who comes", "who is coming", "who is the coach", "which coach", "who will come",
        "name of the coach", "recognise the coach", "recognize the coach",
        "coach s name", "his name", "her name",
    ),
    "company": (
        "be present", "be there too", "my daughter", "my son", "my husband", "my wife",
        "join us", "with me", "someone with me",
    ),
    "duration": ("how long", "how much time", "duration", "take long", "last long"),
    "prepare": (
        "prepare", "bring", "have ready", "what do i need", "need to have", "get ready",
    ),
    "safe": (
        "safe", "scam", "fraud", "trust", "genuine", "legit", "is this real",
    ),
    "new_code": (
        "new code", "another code", "second code", "another letter", "second letter",
        "another voucher", "second voucher", "also got a letter", "also got a voucher",
        "another visit", "second visit", "one more visit",
    ),
    "no_code": (
        "no code", "don t have a code", "do not have a code", "can t read",
        "cannot read", "a photo", "photo", "picture", "where is the code",
        "can t find the code", "which code", "lost the letter", "no letter",
    ),
    "speak_en": (
        "i speak english", "speak english", "in english", "english please",
        "i don t speak dutch", "don t speak dutch", "do not speak dutch",
        "do you speak english", "no dutch", "english only", "i don t understand dutch",
        "don t speak french", "don t understand dutch",
    ),
    "speak_nl": ("i speak dutch", "in dutch"),
    "speak_fr": ("i speak french", "in french"),
}
