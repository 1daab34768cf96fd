"""A corpus of what residents actually write, in Dutch, French and English (issue 9).

Each turn: the resident's language, where they are (the setup), what they write, the
state they should end in and the reply they should get (a catalogue key, checked by its
longest fixed piece of text, or a phrase). Every turn runs on SQLite and PostgreSQL
through the real engine, with a fresh resident who got there by messages.
"""

from __future__ import annotations

import re

import pytest

from conversations.flows import State
from conversations.gsm7 import to_gsm7
from conversations.messages import CATALOGUES
from conversations.transitions import allowed
from storage.codes import display, normalise
from tests.auxil.world import World

S = State
MENU, TIME, CANCEL, CODE = S.MENU, S.ASK_TIME, S.CONFIRM_CANCEL, S.ASK_CODE
PHONE_CHANGE, POSTCODE, STOPPED, CONFIRM = (S.CHANGE_PHONE, S.ASK_POSTCODE, S.STOPPED,
                                            S.CONFIRM)

# (language, setup, text, state after, reply: catalogue key or phrase)
# Setups: first (nothing sent yet), ask_code, ask_postcode, ask_street, ask_topic,
# ask_phone (by SMS: confirm, then "change details", "phone"), confirm (booking),
# menu (booked, Wednesday 2 December 13:00), two (a two-visit cheque: 2 December 13:00
# and 9 December 09:00 booked), which_cancel / which_move (two, then 3 / 2 in the menu),
# confirm2 / booked2 (a two-visit cheque, before / after booking the first visit),
# thursday (ask_time, then the times of Thursday 3 December offered),
# confirm_cancel, stopped (booked, then stopped). {code} is a second good cheque code,
# {typo} that code with one symbol wrong.
TURNS: list[tuple[str, str, str, State, str]] = [
    # --- after booking, the issue's own examples (Dutch resident) ---
    ("nl", "menu", "ik kan niet komen woensdag", TIME, "time.offer"),
    ("nl", "menu", "uitstellen", TIME, "time.offer"),
    ("nl", "menu", "later", TIME, "time.offer"),
    ("nl", "menu", "kan het een andere dag?", TIME, "time.offer"),
    ("nl", "menu", "afzeggen", CANCEL, "cancel.ask"),
    ("nl", "menu", "ik heb geen hulp meer nodig", CANCEL, "cancel.ask"),
    ("nl", "menu", "anuleren aub", CANCEL, "cancel.ask"),
    ("nl", "menu", "verzeten", TIME, "time.offer"),
    ("nl", "menu", "verzetten", TIME, "time.offer"),
    ("nl", "menu", "cancel", CANCEL, "cancel.ask"),
    ("nl", "menu", "reschedule", TIME, "time.offer"),
    ("nl", "menu", "annulez svp", CANCEL, "cancel.ask"),
    ("nl", "menu", "je n'ai plus besoin d'aide", CANCEL, "cancel.ask"),
    ("nl", "menu", "wanneer komt de coach nu weer?", MENU, "visit"),
    ("nl", "menu", "kan ik iemand bellen?", MENU, "person"),
    ("nl", "menu", "hoeveel kost dat?", MENU, "faq.cost"),
    ("nl", "menu", "kan mijn dochter erbij zijn?", MENU, "faq.company"),
    ("nl", "menu", "dank u wel", MENU, "thanks"),
    ("nl", "menu", "merci beaucoup", MENU, "thanks"),
    ("nl", "menu", "oké", MENU, "menu.ok"),
    ("nl", "menu", "MIJN GSM NUMMER IS VERANDERD, HET IS NU 0470 99 99 99", PHONE_CHANGE,
     "0470 99 99 99"),
    ("nl", "menu", "bedankt, de coach was heel vriendelijk", MENU, "thanks"),
    # --- after booking: sick, the coach's name, another visit (1 December) ---
    ("nl", "menu", "ik ben ziek", MENU, "reminder.cannot"),
    ("fr", "menu", "je suis malade", MENU, "reminder.cannot"),
    ("en", "menu", "I'm sick", MENU, "reminder.cannot"),
    ("nl", "menu", "wat is zijn naam?", MENU, "faq.who"),
    ("en", "menu", "what's the coach's name?", MENU, "faq.who"),
    ("nl", "menu", "ik wil een tweede bezoek", CODE, "code.ask_another"),
    ("fr", "menu", "je voudrais une autre visite", CODE, "code.ask_another"),
    ("nl", "menu", "ik ben ziek, ik wil annuleren", CANCEL, "cancel.ask"),
    ("nl", "menu", "kan ik nog een keer mijn bezoek verzetten?", TIME, "time.offer"),
    ("en", "menu", "I want to move another visit", TIME, "time.offer"),
    ("nl", "menu", "mijn man heeft ook een brief gekregen: {code}", POSTCODE,
     "code.accepted"),
    # --- after booking, more Dutch and Flemish ---
    ("nl", "menu", "1", MENU, "visit"),
    ("nl", "menu", "2", TIME, "time.offer"),
    ("nl", "menu", "3", CANCEL, "cancel.ask"),
    ("nl", "menu", "4", MENU, "person"),
    ("nl", "menu", "Verplaatsen", TIME, "time.offer"),
    ("nl", "menu", "annuleren", CANCEL, "cancel.ask"),
    ("nl", "menu", "Annuleren!!", CANCEL, "cancel.ask"),
    ("nl", "menu", "verzette", TIME, "time.offer"),
    ("nl", "menu", "verplaatsen aub", TIME, "time.offer"),
    ("nl", "menu", "kan het een andere keer", TIME, "time.offer"),
    ("nl", "menu", "andere datum graag", TIME, "time.offer"),
    ("nl", "menu", "ik ben die dag niet thuis", TIME, "time.offer"),
    ("nl", "menu", "het past mij niet meer", TIME, "time.offer"),
    ("nl", "menu", "ik kan woensdag niet komen", TIME, "time.offer"),
    ("nl", "menu", "ikke kan toch nie komen op dien dag", TIME, "time.offer"),
    ("nl", "menu", "ik wil mijn afspraak verzetten naar een andere dag", TIME, "time.offer"),
    ("nl", "menu", "kan het donderdag?", CONFIRM, "confirm.move"),
    ("nl", "menu", "liever volgende week maandag", CONFIRM, "confirm.move"),
    ("nl", "menu", "dank u, maar ik wil verzetten", TIME, "time.offer"),
    ("nl", "menu", "afzegge", CANCEL, "cancel.ask"),
    ("nl", "menu", "annuleer alstublieft", CANCEL, "cancel.ask"),
    ("nl", "menu", "sorry ik moet afzeggen, ik ben ziek", CANCEL, "cancel.ask"),
    ("nl", "menu", "het hoeft niet meer", CANCEL, "cancel.ask"),
    ("nl", "menu", "ik heb het al opgelost met mijn kleinzoon", CANCEL, "cancel.ask"),
    ("nl", "menu", "wanneer is mijn afspraak", MENU, "visit"),
    ("nl", "menu", "hoe laat komt de coach", MENU, "visit"),
    ("nl", "menu", "welke dag was het ook alweer?", MENU, "visit"),
    ("nl", "menu", "wanneer", MENU, "visit"),
    ("nl", "menu", "mijn afspraak", MENU, "visit"),
    ("nl", "menu", "mag ik iemand spreken", MENU, "person"),
    ("nl", "menu", "is het gratis?", MENU, "faq.cost"),
    ("nl", "menu", "moet ik iets betalen", MENU, "faq.cost"),
    ("nl", "menu", "wa kost da?", MENU, "faq.cost"),
    ("nl", "menu", "mag mijn zoon erbij zijn", MENU, "faq.company"),
    ("nl", "menu", "mag er iemand bij zijn", MENU, "faq.company"),
    ("nl", "menu", "hoe herken ik de coach?", MENU, "faq.who"),
    ("nl", "menu", "wie komt er?", MENU, "faq.who"),
    ("nl", "menu", "is dit echt van de stad?", MENU, "faq.safe"),
    ("nl", "menu", "is dat wel veilig", MENU, "faq.safe"),
    ("nl", "menu", "ik vertrouw het niet", MENU, "faq.safe"),
    ("nl", "menu", "wat moet ik klaarleggen?", MENU, "faq.prepare"),
    ("nl", "menu", "wat heb ik nodig", MENU, "faq.prepare"),
    ("nl", "menu", "ik ben verhuisd", MENU, "faq.new_address"),
    ("nl", "menu", "ik heb een nieuw adres", MENU, "faq.new_address"),
    ("nl", "menu", "merci", MENU, "thanks"),
    ("nl", "menu", "super bedankt!", MENU, "thanks"),
    ("nl", "menu", "dankjewel", MENU, "thanks"),
    ("nl", "menu", "👍", MENU, "menu.ok"),
    ("nl", "menu", "ja", MENU, "menu.ok"),
    ("nl", "menu", "nee", MENU, "menu.ok"),
    ("nl", "menu", "ok dank u", MENU, "thanks"),
    ("nl", "menu", "nieuw nummer: 0485 11 22 33", PHONE_CHANGE, "0485 11 22 33"),
    ("nl", "menu", "0485112233", PHONE_CHANGE, "phone.change_confirm"),
    ("nl", "menu", "mijn nummer is veranderd", PHONE_CHANGE, "phone.change_ask"),
    ("nl", "menu", "ik heb een ander telefoonnummer", PHONE_CHANGE, "phone.change_ask"),
    ("nl", "menu", "ik heb nog een brief gekregen", CODE, "code.ask_another"),
    ("nl", "menu", "tweede code", CODE, "code.ask_another"),
    ("nl", "menu", "{code}", POSTCODE, "code.accepted"),
    ("nl", "menu", "hallo", MENU, "menu"),
    ("nl", "menu", "goeiedag", MENU, "menu"),
    ("nl", "menu", "blablabla", MENU, "menu.not_understood"),
    ("nl", "menu", "qsdfqsdf", MENU, "menu.not_understood"),
    ("nl", "menu", "menu", MENU, "menu"),
    ("nl", "menu", "hulp", MENU, "help"),
    ("nl", "menu", "Ja, boek het", MENU, "menu.already_booked"),
    # --- after booking, French ---
    ("fr", "menu", "je ne peux pas venir mercredi", TIME, "time.offer"),
    ("fr", "menu", "annuler", CANCEL, "cancel.ask"),
    ("fr", "menu", "annulez svp", CANCEL, "cancel.ask"),
    ("fr", "menu", "je n'ai plus besoin d'aide", CANCEL, "cancel.ask"),
    ("fr", "menu", "annulation svp", CANCEL, "cancel.ask"),
    ("fr", "menu", "déplacer", TIME, "time.offer"),
    ("fr", "menu", "deplacer le rendez-vous", TIME, "time.offer"),
    ("fr", "menu", "je voudrais changer la date", TIME, "time.offer"),
    ("fr", "menu", "reporter svp", TIME, "time.offer"),
    ("fr", "menu", "plus tard", TIME, "time.offer"),
    ("fr", "menu", "un autre jour?", TIME, "time.offer"),
    ("fr", "menu", "je ne serai pas là", TIME, "time.offer"),
    ("fr", "menu", "c'est quand déjà?", MENU, "visit"),
    ("fr", "menu", "à quelle heure vient le coach?", MENU, "visit"),
    ("fr", "menu", "quel jour?", MENU, "visit"),
    ("fr", "menu", "combien ça coûte?", MENU, "faq.cost"),
    ("fr", "menu", "c'est gratuit?", MENU, "faq.cost"),
    ("fr", "menu", "je dois payer?", MENU, "faq.cost"),
    ("fr", "menu", "ma fille peut être présente?", MENU, "faq.company"),
    ("fr", "menu", "qui vient?", MENU, "faq.who"),
    ("fr", "menu", "c'est une arnaque?", MENU, "faq.safe"),
    ("fr", "menu", "c'est sécurisé?", MENU, "faq.safe"),
    ("fr", "menu", "que dois-je préparer?", MENU, "faq.prepare"),
    ("fr", "menu", "merci beaucoup", MENU, "thanks"),
    ("fr", "menu", "merci", MENU, "thanks"),
    ("fr", "menu", "d'accord", MENU, "menu.ok"),
    ("fr", "menu", "j'ai un nouveau numéro: 0470 12 12 12", PHONE_CHANGE, "0470 12 12 12"),
    ("fr", "menu", "parler à quelqu'un", MENU, "person"),
    ("fr", "menu", "je voudrais appeler quelqu'un", MENU, "person"),
    ("fr", "menu", "j'ai déménagé", MENU, "faq.new_address"),
    ("fr", "menu", "j'ai reçu une autre lettre", CODE, "code.ask_another"),
    ("fr", "menu", "ma femme a aussi reçu une lettre: {code}", POSTCODE, "code.accepted"),
    ("fr", "menu", "bonjour", MENU, "menu"),
    ("fr", "menu", "2", TIME, "time.offer"),
    ("fr", "menu", "Annuler", CANCEL, "cancel.ask"),
    # --- after booking, English ---
    ("en", "menu", "cancel", CANCEL, "cancel.ask"),
    ("en", "menu", "reschedule", TIME, "time.offer"),
    ("en", "menu", "I can't come on Wednesday", TIME, "time.offer"),
    ("en", "menu", "can we do another day?", TIME, "time.offer"),
    ("en", "menu", "postpone please", TIME, "time.offer"),
    ("en", "menu", "I won't be home", TIME, "time.offer"),
    ("en", "menu", "I don't need help anymore", CANCEL, "cancel.ask"),
    ("en", "menu", "please cancel my visit", CANCEL, "cancel.ask"),
    ("en", "menu", "when is my visit?", MENU, "visit"),
    ("en", "menu", "what time does the coach come", MENU, "visit"),
    ("en", "menu", "how much does it cost?", MENU, "faq.cost"),
    ("en", "menu", "is it free", MENU, "faq.cost"),
    ("en", "menu", "can my daughter be there?", MENU, "faq.company"),
    ("en", "menu", "who is coming?", MENU, "faq.who"),
    ("en", "menu", "is this a scam?", MENU, "faq.safe"),
    ("en", "menu", "what should I prepare", MENU, "faq.prepare"),
    ("en", "menu", "what do I need to bring", MENU, "faq.prepare"),
    ("en", "menu", "thank you so much", MENU, "thanks"),
    ("en", "menu", "thanks!", MENU, "thanks"),
    ("en", "menu", "ok", MENU, "menu.ok"),
    ("en", "menu", "my new number is 0470 55 66 77", PHONE_CHANGE, "0470 55 66 77"),
    ("en", "menu", "I moved house", MENU, "faq.new_address"),
    ("en", "menu", "I got another letter", CODE, "code.ask_another"),
    ("en", "menu", "can I talk to someone", MENU, "person"),
    ("en", "menu", "hello", MENU, "menu"),
    ("en", "menu", "Move it", TIME, "time.offer"),
    # --- confirming a cancellation ---
    ("nl", "confirm_cancel", "ja, annuleer maar", CODE, "cancelled"),
    ("nl", "confirm_cancel", "nee toch maar niet", MENU, "cancel.kept"),
    ("nl", "confirm_cancel", "jaja", CODE, "cancelled"),
    ("nl", "confirm_cancel", "ja", CODE, "cancelled"),
    ("nl", "confirm_cancel", "nee", MENU, "cancel.kept"),
    ("nl", "confirm_cancel", "1", CODE, "cancelled"),
    ("nl", "confirm_cancel", "2", MENU, "cancel.kept"),
    ("nl", "confirm_cancel", "ja doe maar", CODE, "cancelled"),
    ("nl", "confirm_cancel", "nee, liever een andere dag", TIME, "time.offer"),
    ("nl", "confirm_cancel", "nee laat maar staan", MENU, "cancel.kept"),
    ("nl", "confirm_cancel", "hoeveel kost dat", CANCEL, "faq.cost"),
    ("nl", "confirm_cancel", "misschien", CANCEL, "cancel.ask"),
    ("fr", "confirm_cancel", "oui, annulez", CODE, "cancelled"),
    ("fr", "confirm_cancel", "oui oui", CODE, "cancelled"),
    ("fr", "confirm_cancel", "non merci", MENU, "cancel.kept"),
    ("fr", "confirm_cancel", "non non je veux changer la date", TIME, "time.offer"),
    ("en", "confirm_cancel", "yes cancel it", CODE, "cancelled"),
    ("en", "confirm_cancel", "No, keep it", MENU, "cancel.kept"),
    ("en", "confirm_cancel", "no, I want another day", TIME, "time.offer"),
    # --- confirming a booking ---
    ("nl", "confirm", "ja boek het maar", MENU, "booked"),
    ("nl", "confirm", "jaja", MENU, "booked"),
    ("nl", "confirm", "ja, dat is goed", MENU, "booked"),
    ("nl", "confirm", "oké", MENU, "booked"),
    ("nl", "confirm", "👍", MENU, "booked"),
    ("nl", "confirm", "nee, een ander moment", TIME, "time.offer"),
    ("nl", "confirm", "kan het later?", TIME, "time.offer"),
    ("nl", "confirm", "wat kost dat?", CONFIRM, "faq.cost"),
    ("nl", "confirm", "is dit veilig?", CONFIRM, "faq.safe"),
    ("fr", "confirm", "non non je veux changer la date", TIME, "time.offer"),
    ("fr", "confirm", "oui c'est parfait", MENU, "booked"),
    ("fr", "confirm", "oui, réservez", MENU, "booked"),
    ("en", "confirm", "this one is fine", MENU, "booked"),
    ("en", "confirm", "yes please", MENU, "booked"),
    ("en", "confirm", "yes book it", MENU, "booked"),
    ("en", "confirm", "no, another time", TIME, "time.offer"),
    # --- the phone number, by SMS ---
    ("fr", "ask_phone", "oui ce numéro", CONFIRM, "confirm.book"),
    ("nl", "ask_phone", "ja dit nummer", CONFIRM, "confirm.book"),
    ("nl", "ask_phone", "1", CONFIRM, "confirm.book"),
    ("nl", "ask_phone", "0470 12 34 56", CONFIRM, "confirm.book"),
    ("nl", "ask_phone", "ja", CONFIRM, "confirm.book"),
    ("en", "ask_phone", "this one is fine", CONFIRM, "confirm.book"),
    ("en", "ask_phone", "yes this number", CONFIRM, "confirm.book"),
    ("nl", "ask_phone", "hoeveel kost het?", S.ASK_PHONE, "faq.cost"),
    # --- the code ---
    ("nl", "ask_code", "verzetten", CODE, "code.not_a_code"),
    ("nl", "ask_code", "annuleren", CODE, "code.not_a_code"),
    ("nl", "ask_code", "hoeveel kost dat?", CODE, "faq.cost"),
    ("nl", "ask_code", "is dit veilig?", CODE, "faq.safe"),
    ("nl", "ask_code", "mag ik iemand spreken", CODE, "person"),
    ("nl", "ask_code", "mijn code is {code}", POSTCODE, "code.accepted"),
    ("nl", "ask_code", "{typo}", CODE, "code.typo"),
    ("nl", "ask_code", "ABC-123", CODE, "code.malformed"),
    ("fr", "ask_code", "c'est gratuit?", CODE, "faq.cost"),
    ("en", "ask_code", "who is coming?", CODE, "faq.who"),
    # --- the address and what help ---
    ("nl", "ask_postcode", "wat kost dat?", POSTCODE, "faq.cost"),
    ("nl", "ask_postcode", "waarom moet u dat weten?", POSTCODE, "faq.why"),
    ("fr", "ask_postcode", "pourquoi avez-vous besoin de mon adresse?", POSTCODE, "faq.why"),
    ("en", "ask_postcode", "why do you need my address?", POSTCODE, "faq.why"),
    ("nl", "menu", "wat doen jullie met mijn gegevens?", MENU, "faq.why"),
    ("nl", "ask_postcode", "9100", S.ASK_STREET, "street.ask"),
    # --- after STOP ---
    ("nl", "stopped", "wanneer komt de coach?", STOPPED, "stopped.visit"),
    ("nl", "stopped", "ik wil verzetten", STOPPED, "stopped.visit"),
    ("nl", "stopped", "hoeveel kost het", STOPPED, "faq.cost"),
    ("nl", "stopped", "blabla", STOPPED, "stopped"),
    ("nl", "stopped", "START", MENU, "start.again"),
    ("fr", "stopped", "c'est quand ma visite?", STOPPED, "stopped.visit"),
    ("en", "stopped", "when is the coach coming?", STOPPED, "stopped.visit"),
    # --- before booking: no code, or cannot read it ---
    ("nl", "ask_code", "ik heb geen code", CODE, "code.help"),
    ("nl", "ask_code", "da lukt ni, ik kan de letters ni goe lezen", CODE, "code.help"),
    ("nl", "ask_code", "ik stuur een foto", CODE, "code.help"),
    ("nl", "ask_code", "waar staat die code?", CODE, "code.help"),
    ("fr", "ask_code", "je n'ai pas de code", CODE, "code.help"),
    ("fr", "ask_code", "je n'arrive pas à lire le code", CODE, "code.help"),
    ("en", "ask_code", "I don't have a code", CODE, "code.help"),
    ("en", "ask_code", "I can't read the letters", CODE, "code.help"),
    ("nl", "ask_code", "mijn code is {typo}", CODE, "code.typo"),
    ("nl", "ask_code", "Dag, hier is mijn code: {code}", POSTCODE, "code.accepted"),
    # --- before booking: the address in one message, place names, chatter ---
    ("nl", "ask_postcode", "Kerkstraat 12, 9100", S.ASK_TOPIC, "topic.ask"),
    ("nl", "ask_postcode", "9100 Sint-Niklaas, Vijfstraten 77", S.ASK_TOPIC,
     "topic.ask"),
    ("nl", "ask_postcode", "Sint-Niklaas", S.ASK_STREET, "street.ask"),
    ("nl", "ask_postcode", "Belsele", S.ASK_STREET, "street.ask"),
    ("nl", "ask_postcode", "sinaai", S.ASK_STREET, "street.ask"),
    ("nl", "ask_postcode", "Nieuwkerken", S.ASK_STREET, "street.ask"),
    ("nl", "ask_postcode", "91OO", S.ASK_STREET, "street.ask"),
    ("nl", "ask_postcode", "Parklaan 8 Belsele", S.ASK_TOPIC, "topic.ask"),
    ("nl", "ask_postcode", "Sorry ik was het vergeten. Parklaan 8, 9100", S.ASK_TOPIC,
     "topic.ask"),
    ("nl", "ask_postcode", "Dat heb ik toch al gezegd, Hoogstraat 40, 9111", S.ASK_TOPIC,
     "topic.ask"),
    ("nl", "ask_postcode", "Mercatorstraat nummer 112 9100", S.ASK_TOPIC, "topic.ask"),
    ("nl", "ask_postcode", "Kerkstraat 12", POSTCODE, "postcode.ask"),
    ("nl", "ask_postcode", "2000", POSTCODE, "postcode.outside"),
    ("fr", "ask_postcode", "9112 Sinaai, Dorp 3", S.ASK_TOPIC, "topic.ask"),
    ("en", "ask_postcode", "I live at Kerkstraat 12, 9100", S.ASK_TOPIC, "topic.ask"),
    # --- before booking: what help, in free words ---
    ("nl", "ask_topic", "mijn pensioen bekijken op mypension", TIME, "time.offer"),
    ("nl", "ask_topic", "van alles eigenlijk", TIME, "time.offer"),
    ("nl", "ask_topic", "bankieren", TIME, "time.offer"),
    ("nl", "ask_topic", "whatsapp op mijn gsm", TIME, "time.offer"),
    ("nl", "ask_topic", "3", TIME, "time.offer"),
    ("nl", "ask_topic", "99", S.ASK_TOPIC, "topic.invalid"),
    ("fr", "ask_topic", "regarder mes photos sur internet", TIME, "time.offer"),
    ("en", "ask_topic", "video calls with my grandchildren", TIME, "time.offer"),
    # --- before booking: changing details before confirming ---
    ("nl", "details", "1", POSTCODE, "postcode.ask"),
    ("nl", "details", "2", S.ASK_PHONE, "phone.ask_sms"),
    ("nl", "details", "3", S.ASK_TOPIC, "topic.ask"),
    ("nl", "details", "mijn telefoonnummer", S.ASK_PHONE, "phone.ask_sms"),
    ("nl", "details", "het adres", POSTCODE, "postcode.ask"),
    ("fr", "details", "l'adresse", POSTCODE, "postcode.ask"),
    ("en", "details", "the phone number", S.ASK_PHONE, "phone.ask_sms"),
    ("nl", "confirm", "3", S.CHANGE_DETAILS, "details.ask"),
    # --- heard while talking to the demo ---
    ("nl", "confirm", "ja da's goe", MENU, "booked"),
    ("nl", "confirm", "kan da ni ne dag later?", TIME, "time.offer"),
    ("nl", "menu", "kan da ni ne dag later?", TIME, "time.offer"),
    ("nl", "ask_time", "moet ik iets klaarleggen?", TIME, "faq.prepare"),
    ("nl", "ask_time", "wie gaat er komen?", TIME, "faq.who"),
    ("fr", "ask_time", "est-ce que mon fils peut venir aussi?", TIME, "faq.company"),
    ("en", "ask_time", "is it free?", TIME, "faq.cost"),
    ("nl", "ask_topic", "ik wil leren whatsappen met mijn kleinkinderen", TIME, "time.offer"),
    ("nl", "ask_topic", "wat kost dat?", S.ASK_TOPIC, "faq.cost"),
    ("en", "ask_time", "something came up, I need a different day", TIME,
     "time.offer_later"),
    ("nl", "ask_time", "liever een andere dag", TIME, "time.offer_later"),
    ("en", "ask_time", "any time on friday", TIME, "time.offer_fit"),
    ("nl", "ask_time", "vrijdag maakt niet uit hoe laat", TIME, "time.offer_fit"),
    ("fr", "menu", "je ne serai pas chez moi mercredi, peut-on mettre jeudi?", CONFIRM,
     "confirm.move"),
    ("nl", "menu", "ik kan woensdag niet komen, liever donderdag", CONFIRM, "confirm.move"),
    ("fr", "stopped", "quand vient le coach?", STOPPED, "stopped.visit"),
    ("nl", "stopped", "komt die coach nu nog of niet?", STOPPED, "stopped.visit"),
    ("nl", "menu", "en hoelang duurt dat bezoek?", MENU, "Een bezoek duurt ongeveer 90"),
    ("fr", "confirm", "ça dure combien de temps?", CONFIRM, "Une visite dure environ 90"),
    ("en", "ask_code", "how long does a visit take?", CODE, "A visit takes about 90"),
    ("nl", "ask_phone", "ja da's goe", CONFIRM, "confirm.book"),
    # --- a wish for another language, at any point ---
    ("nl", "ask_code", "je parle français", CODE, "Bien, nous parlons"),
    ("nl", "ask_postcode", "je parle francais svp", POSTCODE, "Bien, nous parlons"),
    ("nl", "menu", "sorry I don't speak dutch", MENU, "Fine, we speak English"),
    ("nl", "confirm", "I speak English", CONFIRM, "Fine, we speak English"),
    ("fr", "confirm", "ik spreek Nederlands", CONFIRM, "Goed, we praten Nederlands"),
    ("en", "ask_topic", "je ne parle pas anglais, en français svp", S.ASK_TOPIC,
     "Bien, nous parlons"),
    ("nl", "first", "Hi, I got a voucher from the city", CODE, "Send the code"),
    ("nl", "first", "Hello, I have a letter with a code", CODE, "Send the code"),
    ("nl", "first", "sorry I don't speak dutch", CODE, "Fine, we speak English"),
    ("nl", "first", "Bonjour, j'ai reçu une lettre de la ville", CODE, "Envoyez le code"),
    # --- first contact ---
    ("nl", "first", "Dag, hier is mijn code: {code}", POSTCODE, "code.accepted"),
    ("fr", "first", "Bonjour, voici mon code {code}", POSTCODE, "code.accepted"),
    ("nl", "first", "Goeiemiddag, ik heb geen code", CODE, "code.help"),
    ("nl", "first", "hoeveel kost dat?", CODE, "faq.cost"),
    ("en", "first", "Hi, how much does this cost?", CODE, "faq.cost"),
    ("nl", "first", "hallo", CODE, "welcome"),
    # --- a wish beyond how far ahead we book: the truth, not "that time is not free" ---
    ("nl", "ask_time", "10 februari", TIME, "We plannen bezoeken tot 6 weken vooruit"),
    ("nl", "ask_time", "kan het pas in maart?", TIME, "time.beyond"),
    ("en", "ask_time", "I'm abroad until February", TIME, "write to us again from"),
    ("fr", "ask_time", "le 10 février", TIME, "time.beyond"),
    ("nl", "menu", "kan het verzet worden naar 10 februari?", TIME, "time.beyond"),
    ("en", "menu", "can we move it to February 10?", TIME, "time.beyond"),
    # --- several visits: which one, shown and picked by its day ---
    ("nl", "confirm2", "1", MENU, "booked.another"),
    ("fr", "confirm2", "oui", MENU, "booked.another"),
    ("en", "confirm2", "yes", MENU, "booked.another"),
    ("nl", "booked2", "menu", MENU, "Nog een bezoek boeken"),
    ("nl", "booked2", "5", TIME, "time.offer"),
    ("nl", "booked2", "nog een bezoek boeken", TIME, "time.offer"),
    ("fr", "booked2", "5", TIME, "time.offer"),
    ("en", "booked2", "book another visit", TIME, "time.offer"),
    ("nl", "two", "menu", MENU, "U hebt 2 bezoeken: wo 2 dec 13:00, wo 9 dec 09:00"),
    ("fr", "two", "menu", MENU, "Vous avez 2 visites: mer 2 déc 13:00, mer 9 déc 09:00"),
    ("en", "two", "menu", MENU, "You have 2 visits: Wed 2 Dec 13:00, Wed 9 Dec 09:00"),
    ("nl", "two", "1", MENU, "wo 9 dec 09:00-10:30: Computer"),
    ("nl", "two", "wanneer komt de coach?", MENU, "wo 2 dec 13:00-14:30: Computer"),
    ("nl", "two", "dank u wel", MENU, "De coach komt: wo 2 dec 13:00, wo 9 dec 09:00"),
    ("fr", "two", "merci beaucoup", MENU, "thanks.several"),
    ("en", "two", "thank you", MENU, "thanks.several"),
    ("nl", "two", "oké", MENU, "menu.ok.several"),
    ("nl", "two", "het bezoek van 9 december annuleren", CANCEL,
     "bezoek op woensdag 9 december om 09:00 annuleren"),
    ("nl", "two", "het bezoek van 2 december annuleren", CANCEL,
     "bezoek op woensdag 2 december om 13:00 annuleren"),
    ("fr", "two", "annuler la visite du 9 décembre", CANCEL,
     "visite du mercredi 9 décembre à 09:00"),
    ("en", "two", "please call off the visit of 9 December", CANCEL,
     "visit on Wednesday 9 December at 09:00"),
    ("nl", "two", "annuleren", S.WHICH_VISIT, "which.cancel"),
    ("nl", "two", "3", S.WHICH_VISIT, "which.cancel"),
    ("nl", "two", "verzetten", S.WHICH_VISIT, "which.move"),
    ("fr", "two", "déplacer", S.WHICH_VISIT, "which.move"),
    ("en", "two", "reschedule", S.WHICH_VISIT, "which.move"),
    ("nl", "two", "het bezoek van 9 december verzetten", TIME, "time.offer"),
    ("nl", "which_cancel", "2", CANCEL, "bezoek op woensdag 9 december om 09:00"),
    ("nl", "which_cancel", "1", CANCEL, "bezoek op woensdag 2 december om 13:00"),
    ("nl", "which_cancel", "die van 9 december", CANCEL, "woensdag 9 december om 09:00"),
    ("fr", "which_cancel", "celle du 9 décembre", CANCEL, "mercredi 9 décembre à 09:00"),
    ("en", "which_cancel", "the one on 9 December", CANCEL, "Wednesday 9 December at 09:00"),
    ("nl", "which_cancel", "nee toch niet", MENU, "menu.several"),
    ("nl", "which_cancel", "hoeveel kost dat?", S.WHICH_VISIT, "faq.cost"),
    ("nl", "which_cancel", "blabla", S.WHICH_VISIT, "which.cancel"),
    ("nl", "which_move", "2", TIME, "time.offer"),
    ("fr", "which_move", "1", TIME, "time.offer"),
    ("en", "which_move", "the one on 9 December", TIME, "time.offer"),
    ("nl", "two", "9 december", MENU, "woensdag 9 december van 09:00"),
    ("nl", "two", "woensdag", MENU, "woensdag 2 december van 13:00"),
    ("fr", "two", "le 9 décembre", MENU, "mercredi 9 décembre de 09:00"),
    ("en", "two", "Wednesday 9 December", MENU, "Wednesday 9 December from 09:00"),
    ("nl", "two", "10 december", S.WHICH_VISIT, "which.move"),
    ("fr", "two", "jeudi 10 décembre", S.WHICH_VISIT, "which.move"),
    ("nl", "two", "ik kan niet op 9 december", TIME, "time.offer"),
    ("nl", "two", "mijn bezoeken bekijken", MENU, "Uw 2 bezoeken, Kerkstraat 12:"),
    ("fr", "two", "1", MENU, "Vos 2 visites, Kerkstraat 12:"),
    ("en", "two", "1", MENU, "Your 2 visits, Kerkstraat 12:"),
    ("nl", "booked2", "ik heb nog een code", MENU, "code.visit_left"),
    ("nl", "booked2", "tweede code", MENU, "code.visit_left"),
    ("fr", "booked2", "j'ai un deuxième code", MENU, "code.visit_left"),
    ("en", "booked2", "I got a second code", MENU, "code.visit_left"),
    ("nl", "menu", "ik heb nog een code", CODE, "code.ask_another"),
    # --- dates in context: what was offered or booked ---
    ("nl", "thursday", "die van 1 uur", CONFIRM, "donderdag 3 december van 13:00"),
    ("nl", "thursday", "om 3 uur", CONFIRM, "donderdag 3 december van 15:00"),
    ("nl", "thursday", "13u", CONFIRM, "donderdag 3 december van 13:00"),
    ("nl", "thursday", "liefst in de namiddag", CONFIRM, "donderdag 3 december van 13:00"),
    ("en", "thursday", "the one at 1 o'clock", CONFIRM, "Thursday 3 December from 13:00"),
    ("en", "thursday", "1pm please", CONFIRM, "Thursday 3 December from 13:00"),
    ("fr", "thursday", "celui de 13h", CONFIRM, "jeudi 3 décembre de 13:00"),
    ("fr", "thursday", "à 15h", CONFIRM, "jeudi 3 décembre de 15:00"),
    ("fr", "thursday", "mardi 8", CONFIRM, "mardi 8 décembre"),
    ("fr", "ask_time", "mardi 8", CONFIRM, "mardi 8 décembre"),
    ("nl", "ask_time", "dinsdag 8", CONFIRM, "dinsdag 8 december"),
    ("en", "ask_time", "tuesday the 8th", CONFIRM, "Tuesday 8 December"),
    ("nl", "ask_time", "de week erna", TIME, "ma 7 dec"),
    ("nl", "thursday", "de week erna", TIME, "ma 7 dec"),
    ("fr", "thursday", "la semaine d'après", TIME, "lun 7 déc"),
    ("en", "thursday", "the week after", TIME, "Mon 7 Dec"),
    ("nl", "confirm", "liever de week erna", TIME, "ma 7 dec"),
    ("fr", "confirm", "plutôt la semaine d'après", TIME, "lun 7 déc"),
    ("en", "confirm", "rather the week after", TIME, "Mon 7 Dec"),
    ("nl", "confirm", "kan het om 3 uur?", CONFIRM, "woensdag 2 december van 15:00"),
    ("nl", "menu", "kan het de week erna?", TIME, "ma 7 dec"),
    ("fr", "menu", "la semaine d'après?", TIME, "lun 7 déc"),
    ("en", "menu", "can it be the week after?", TIME, "Mon 7 Dec"),
    ("nl", "menu", "kan het om 3 uur?", CONFIRM, "woensdag 2 december van 15:00"),
    # --- a day refused is never offered (the visit is on Wednesday 2 December) ---
    ("nl", "menu", "ik kan niet komen woensdag", TIME, "1 do 3 dec 09:00"),
    ("nl", "menu", "woensdag gaat niet", TIME, "1 do 3 dec 09:00"),
    ("nl", "menu", "ik ben woensdag niet thuis", TIME, "1 do 3 dec 09:00"),
    ("nl", "menu", "niet op woensdag, liever vrijdag", CONFIRM, "vrijdag 4 december"),
    ("nl", "menu", "ik kan niet op donderdag", TIME, "3 vr 4 dec 09:00"),
    ("nl", "menu", "kan het woensdag om 3 uur?", CONFIRM, "woensdag 2 december van 15:00"),
    ("nl", "menu", "ik kan pas vrijdag", CONFIRM, "vrijdag 4 december"),
    ("fr", "menu", "je ne peux pas venir mercredi", TIME, "1 jeu 3 déc 09:00"),
    ("fr", "menu", "je ne serai pas là mercredi, vendredi?", CONFIRM, "vendredi 4 décembre"),
    ("fr", "menu", "pas mercredi svp", TIME, "1 jeu 3 déc 09:00"),
    ("en", "menu", "I can't come on Wednesday", TIME, "1 Thu 3 Dec 09:00"),
    ("en", "menu", "not wednesday, friday is fine", CONFIRM, "Friday 4 December"),
    ("en", "menu", "I cannot make it on Thursday", TIME, "3 Fri 4 Dec 09:00"),
    ("nl", "menu", "woensdag?", MENU, "visit"),          # the day of their visit: it
    ("fr", "menu", "mercredi 2 décembre?", MENU, "visit"),
    ("en", "menu", "Wednesday at 1pm?", MENU, "visit"),
    ("nl", "menu", "woensdag 2 december om 13u", MENU, "visit"),
    # ... nor while choosing a time (Thursday 3 December offered, or Wednesday proposed)
    ("nl", "thursday", "donderdag kan ik toch niet", TIME, "3 wo 2 dec 15:00"),
    ("nl", "thursday", "ik kan niet komen donderdag", TIME, "1 wo 2 dec 09:00"),
    ("nl", "thursday", "liever niet 's morgens", CONFIRM, "donderdag 3 december van 13:00"),
    ("fr", "thursday", "je ne peux pas jeudi", TIME, "1 mer 2 déc 09:00"),
    ("nl", "confirm", "woensdag kan ik toch niet", TIME, "1 do 3 dec 09:00"),
    ("en", "confirm", "I can't on Wednesday after all", TIME, "1 Thu 3 Dec 09:00"),
    ("en", "thursday", "not in the morning", CONFIRM, "Thursday 3 December from 13:00"),
]


def fragment(language: str, expected: str) -> str:
    """The longest fixed piece of a catalogue text (as SMS shows it), or the phrase."""
    text = CATALOGUES[language].get(expected)
    if text is None:
        return expected
    pieces = [piece.strip(" .,:?!") for piece in re.split(r"{\w+}", text)]
    return to_gsm7(max(pieces, key=len))[:40]


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach(capacity=5)
    return w


def walk_to(world, person, setup, language):
    """Bring a fresh resident to the setup by messages, as a resident would."""
    if setup == "first":
        return
    person.say({"nl": "hallo", "fr": "FR", "en": "EN"}[language])
    if setup == "ask_code":
        return
    two = setup in ("two", "which_cancel", "which_move", "confirm2", "booked2")
    person.say(world.cheque(seed=3, visits=2) if two else world.cheque(seed=1))
    if setup == "ask_postcode":
        return
    person.say("9100 Kerkstraat 12")   # by SMS the phone is the number written from
    if setup == "ask_topic":
        return
    person.say("2")          # computer
    if setup == "ask_time":
        return
    if setup == "thursday":   # the times of Thursday 3 December: 09:00, 13:00, 15:00
        person.say({"nl": "donderdag maakt niet uit hoe laat", "fr": "jeudi n'importe quand",
                    "en": "any time on thursday"}[language])
        return
    person.say("2")          # Wednesday 2 December 13:00
    if setup in ("confirm", "confirm2"):
        return
    if setup in ("details", "ask_phone"):
        person.say("3")
        if setup == "ask_phone":   # a number other than the one written from
            person.say("2")
        return
    person.say("1")
    assert person.state == State.MENU, f"setup {setup} did not book"
    if setup == "booked2":
        return
    if two:   # the cheque's second visit: Wednesday 9 December 09:00
        person.say("5")
        person.say({"nl": "9 december", "fr": "9 décembre", "en": "9 December"}[language])
        person.say("1")
        assert len(world.bookings()) == 2, f"setup {setup} did not book twice"
    if setup == "which_cancel":
        person.say("3")
    elif setup == "which_move":
        person.say("2")
    if setup == "confirm_cancel":
        person.say("3")
    elif setup == "stopped":
        person.say("stop")
        person.say("1")


@pytest.mark.parametrize(("language", "setup", "text", "state", "expected"), TURNS,
                         ids=[f"{t[0]}-{t[1]}-{t[2][:30]}" for t in TURNS])
def test_turn(world, language, setup, text, state, expected):
    second = world.cheque(seed=2)
    typo = normalise(second)
    typo = display(typo[:3] + ("B" if typo[3] != "B" else "C") + typo[4:])
    ann = world.resident()
    walk_to(world, ann, setup, language)
    before = ann.state
    reply = ann.say(text.format(code=second, typo=typo))
    assert fragment(language, expected) in reply, reply
    assert ann.state == state, reply
    # the drawing (flows.mmd, from conversations/transitions.py) has this step
    assert allowed(before, state), f"{before} -> {state} is not declared"


def test_the_corpus_is_large_and_in_three_languages():
    assert len(TURNS) >= 200
    assert {t[0] for t in TURNS} == {"nl", "fr", "en"}
