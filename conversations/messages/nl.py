"""Dutch (the default): short sentences, one question a message, the way out shown.

Only GSM-7 characters (no ë, ï, ç, curly quotes): a test checks every text.
"""

MESSAGES: dict[str, str] = {
    "welcome": "Dag! Hier kunt u een digicheque gebruiken voor hulp aan huis met uw gsm, "
               "tablet of computer. (FR: envoyez FR. EN: send EN.)",
    "code.ask": "Stuur de code van uw digicheque. Die staat op de brief, bv. ABCD-EFGH-K.",
    "code.accepted": "Dank u, uw code is goed.",
    "code.typo": "Een teken van de code klopt niet. Kijk nog eens goed op de brief en stuur "
                 "de code opnieuw.",
    "code.malformed": "Dat lijkt geen volledige code. Een code heeft 9 tekens, bv. "
                      "ABCD-EFGH-K. Stuur de code opnieuw.",
    "code.not_a_code": "Stuur de code van uw digicheque, bv. ABCD-EFGH-K. Geen code? "
                       "Stuur HULP.",
    "code.unknown": "Deze code kennen we niet. Kijk nog eens goed op de brief en stuur de "
                    "code opnieuw.",
    "code.used": "Deze code is al gebruikt. Vragen? Bel de stad: {phone}.",
    "code.void": "Deze code is niet meer geldig. Vragen? Bel de stad: {phone}.",
    "code.expired": "Deze code is verlopen. Vragen? Bel de stad: {phone}.",
    "code.locked": "U stuurde te veel foute codes. Probeer het over een uur opnieuw, of bel "
                   "de stad: {phone}.",
    "postcode.ask": "Wat is uw postcode?",
    "postcode.invalid": "Een postcode heeft 4 cijfers, bv. 9100. Wat is uw postcode?",
    "postcode.outside": "Postcode {postcode} valt buiten {city}. Onze coaches komen alleen "
                        "in {city}. Bel de stad voor hulp: {phone}. Of stuur een andere "
                        "postcode.",
    "street.ask": "Wat is uw straat en huisnummer? Bv. Kerkstraat 12",
    "street.invalid": "Stuur uw straat en huisnummer, bv. Kerkstraat 12",
    "street.number_missing": "Stuur ook uw huisnummer, bv. Kerkstraat 12",
    "street.too_long": "Dat is te lang. Stuur alleen straat en huisnummer, bv. Kerkstraat 12",
    "phone.ask_sms": "Op welk nummer mag de coach u bellen? Antwoord 1 voor dit nummer "
                     "(eindigt op {last}), of stuur een ander nummer.",
    "phone.ask": "Op welk nummer mag de coach u bellen? Bv. 0470 12 34 56",
    "phone.invalid": "Dat nummer kan ik niet lezen.",
    "topic.ask": "Waarmee wilt u hulp?",
    "topic.invalid": "Dat begrijp ik niet. Antwoord met een cijfer.",
    "topic.ask_text": "Schrijf in een paar woorden waarmee u hulp wilt.",
    "topic.smartphone": "Smartphone of tablet",
    "topic.computer": "Computer",
    "topic.itsme": "itsme",
    "topic.banking": "Bankieren op internet",
    "topic.email": "E-mail",
    "topic.government": "Websites van de overheid",
    "topic.other": "Iets anders",
    "time.offer": "Wanneer mag de coach komen? Kies een nummer, of schrijf een dag, "
                  "bv. dinsdag namiddag.",
    "time.offer_later": "Dit zijn latere momenten. Kies een nummer, of schrijf een dag.",
    "time.offer_wrap": "Er zijn geen latere momenten. Dit zijn de eerste vrije momenten:",
    "time.offer_nearest": "Dat moment is niet vrij. Dit zijn de momenten die er het dichtst "
                          "bij liggen:",
    "time.not_understood": "Dat begrijp ik niet.",
    "time.gone": "Dat moment is niet meer vrij. Kies een ander moment:",
    "time.taken": "Sorry, iemand anders was u net voor. Kies een ander moment:",
    "time.none": "Sorry, er zijn nu geen vrije momenten. Probeer later opnieuw of bel de "
                 "stad: {phone}.",
    "confirm.book": "Klopt dit? Bezoek op {start_day} van {start_time} tot {end_time}, "
                    "{street}, {postcode}. Tel. {number}. Hulp met: {topic}.",
    "confirm.move": "Uw bezoek verplaatsen naar {start_day} van {start_time} tot {end_time}?",
    "confirm.not_understood": "Antwoord met een cijfer.",
    "booked": "Gelukt! De coach komt op {start_short} om {start_time}.",
    "booked.prepare": "De coach draagt een stadsbadge en vraagt nooit uw pincode of "
                      "wachtwoorden: u typt ze zelf. Wijzigen? Stuur MENU.",
    "moved": "Gelukt! Uw bezoek is nu op {start_day} om {start_time}. Stuur MENU voor meer.",
    "menu": "Uw bezoek is op {start_day} om {start_time}. Wat wilt u doen?",
    "menu.already_booked": "Uw bezoek is al geboekt.",
    "menu.no_visit": "U hebt nu geen bezoek gepland.",
    "menu.not_understood": "Dat begrijp ik niet. Antwoord met een cijfer, of schrijf wat u "
                           "wilt, bv. verzetten.",
    "visit": "Uw bezoek: {start_day} van {start_time} tot {end_time}, {street}, {postcode}. "
             "Hulp met: {topic}.",
    "deadline": "Verplaatsen of annuleren kan nu niet meer via bericht. Bel de stad: {phone}.",
    "cancel.ask": "Wilt u uw bezoek op {start_day} om {start_time} annuleren?",
    "cancelled": "Uw bezoek is geannuleerd. U kunt uw digicheque opnieuw gebruiken: stuur "
                 "de code als u een nieuw bezoek wilt.",
    "cancel.kept": "Goed, uw bezoek blijft staan.",
    "stop.ask": "Wilt u geen berichten meer van ons krijgen?",
    "stop.done": "U krijgt geen berichten meer. Wilt u toch weer berichten? Stuur START.",
    "stopped": "U krijgt geen berichten van ons. Wilt u weer berichten? Stuur START.",
    "start.again": "Welkom terug! U krijgt weer berichten.",
    "resume": "Welkom terug. We waren bezig met {where}.",
    "where.ask_postcode": "uw adres",
    "where.ask_street": "uw adres",
    "where.ask_phone": "uw telefoonnummer",
    "where.ask_topic": "waarmee u hulp wilt",
    "where.ask_topic_text": "waarmee u hulp wilt",
    "where.ask_time": "een moment voor uw bezoek",
    "where.confirm": "een moment voor uw bezoek",
    "where.ask_code": "uw code",
    "input.group": "Schrijf mij alstublieft apart, niet in een groep.",
    "input.sticker": "Leuk! Maar ik kan alleen tekst lezen.",
    "input.photo": "Ik kan geen foto's bekijken. Typ uw antwoord alstublieft.",
    "input.voice": "Ik kan geen spraakberichten beluisteren. Typ uw antwoord alstublieft.",
    "input.location": "Dank u. Typ uw adres alstublieft als tekst.",
    "input.other": "Ik kan alleen tekst lezen. Typ uw antwoord alstublieft.",
    "input.empty": "Ik kreeg een leeg bericht.",
    "input.edited": "U hebt een bericht aangepast. Stuur uw antwoord alstublieft als nieuw "
                    "bericht.",
    "language.changed": "Goed, we praten Nederlands.",
    "language.unavailable": "Die taal is er nog niet.",
    "help": "Antwoord op de vraag hieronder. Stuur MENU voor het begin, of bel de stad: "
            "{phone}.",
    "error.sorry": "Sorry, er ging bij ons iets mis.",
    "person": "Wilt u iemand spreken? Bel de stad: {phone}.",
    "handoff.requested": "Goed. Een medewerker van de stad antwoordt u hier, zo snel "
                         "mogelijk. U mag uw vraag al sturen. Terug naar de bot? Stuur MENU.",
    "handoff.waiting": "Bedankt, we hebben uw bericht. Een medewerker antwoordt u zo snel "
                       "mogelijk. Terug naar de bot? Stuur MENU.",
    "handoff.left": "Goed, u praat weer met de digicheque-bot.",
    "handoff.text_only": "De medewerker kan alleen tekst lezen. Schrijf uw vraag in een "
                         "bericht.",
    "handoff.staff": "Medewerker stad {city}: {text}",
    "handoff.closed": "De medewerker heeft uw vraag afgesloten. U praat nu weer met de "
                      "digicheque-bot.",
    "reminder.day_before": "Herinnering: morgen, {start_day}, van {start_time} tot "
                           "{end_time} komt de digitale coach bij u: {street}, {postcode}. "
                           "Bent u er?",
    "reminder.soon": "Herinnering: vandaag, {start_day}, van {start_time} tot {end_time} "
                     "komt de digitale coach bij u: {street}, {postcode}. Bent u er?",
    "reminder.day_before.late": "Herinnering: morgen, {start_day}, van {start_time} tot "
                                "{end_time} komt de digitale coach bij u: {street}, {postcode}. "
                                "Kan het niet? Bel de stad: {phone}.",
    "reminder.soon.late": "Herinnering: vandaag, {start_day}, van {start_time} tot "
                          "{end_time} komt de digitale coach bij u: {street}, {postcode}. "
                          "Kan het niet? Bel de stad: {phone}.",
    "option.be_there": "Ik ben er",
    "option.move_visit": "Verzetten",
    "option.call_off": "Annuleren",
    "reminder.thanks": "Dank u! De coach komt op {start_day} om {start_time}. Tot dan!",
    "reminder.cannot": "Kunt u er niet zijn? Dan kunt u het bezoek verzetten of annuleren.",
    "followup.ask": "Is de coach bij u geweest op {start_day}? Uw antwoord helpt ons.",
    "option.coach_came": "Ja",
    "option.coach_not_came": "Nee",
    "followup.thanks": "Fijn, dank u! We hopen dat de hulp van de coach goed was.",
    "followup.sorry": "Sorry dat de coach niet kwam. Uw digicheque is weer geldig voor een "
                      "bezoek.",
    "followup.new_time": "Wilt u een nieuw moment?",
    "option.new_time": "Ja",
    "option.no_new_time": "Nee",
    "followup.later": "Goed. Wilt u later toch een bezoek? Stuur dan de code van uw "
                      "digicheque.",
    "option.own_number": "Dit nummer",
    "option.slot": "{start_short} {start_time}-{end_time}",
    "option.other_day": "Andere dag",
    "option.menu": "Menu",
    "option.yes_book": "Ja, boek het",
    "option.yes_move": "Ja, verplaatsen",
    "option.other_time": "Ander moment",
    "option.change_details": "Adres, nummer of hulp wijzigen",
    "option.see": "Mijn bezoek bekijken",
    "option.move": "Verplaatsen",
    "option.cancel": "Annuleren",
    "option.person": "Iemand spreken",
    "option.yes_cancel": "Ja, annuleren",
    "option.no_keep": "Nee, laten staan",
    "option.yes_stop": "Ja, stop",
    "option.no_go_on": "Nee, verder",
    "option.go_on": "Verder gaan",
    "option.start_again": "Opnieuw beginnen",
    "faq.cost": "Het bezoek is gratis: de digicheque van de stad betaalt het.",
    "faq.why": "De coach komt bij u thuis en belt u als het nodig is: daarom vragen we uw "
               "adres en nummer. We gebruiken ze alleen voor uw bezoek en wissen ze nadien.",
    "faq.who": "Er komt een digitale coach van een partner van de stad. De coach toont een badge "
               "van de stad en vraagt nooit uw pincode of wachtwoorden.",
    "faq.company": "Ja, iemand mag erbij zijn, bv. uw dochter, zoon of een buur.",
    "faq.prepare": "Leg uw toestel en lader klaar, en uw identiteitskaart als het over itsme "
                   "gaat. Uw pincode en wachtwoorden typt u zelf: de coach vraagt ze nooit.",
    "faq.safe": "Ja, de digicheque komt van de stad. De coach vraagt nooit geld, uw pincode of "
                "wachtwoorden. Twijfelt u? Bel de stad: {phone}.",
    "faq.new_address": "Verhuisd? Bel de stad: {phone}. Dan passen we uw bezoek aan.",
    "thanks": "Graag gedaan! De coach komt op {start_day} om {start_time}. Tot dan! Iets "
              "wijzigen? Stuur MENU.",
    "thanks.asked": "Graag gedaan!",
    "thanks.no_visit": "Graag gedaan, en fijn dat we konden helpen! Nog een digicheque? Stuur de "
                       "code.",
    "menu.ok": "Goed! Uw bezoek blijft op {start_day} om {start_time}. Iets wijzigen? Stuur MENU.",
    # Several visits (a two-visit cheque, or a second code on the same phone).
    "menu.several": "U hebt {count} bezoeken: {visits}. Wat wilt u doen?",
    "menu.ok.several": "Goed! Uw bezoeken blijven: {visits}. Iets wijzigen? Stuur MENU.",
    "thanks.several": "Graag gedaan! De coach komt: {visits}. Tot dan! Iets wijzigen? Stuur "
                      "MENU.",
    "which.move": "Welk bezoek wilt u verplaatsen?",
    "which.cancel": "Welk bezoek wilt u annuleren?",
    "option.visit": "{start_short} {start_time}",
    "option.another_visit": "Nog een bezoek boeken",
    "cancelled.one": "Uw bezoek op {start_day} om {start_time} is geannuleerd. Uw andere "
                     "bezoek blijft staan.",
    "booked.another": "Uw digicheque is goed voor nog een bezoek: stuur MENU om het te boeken.",
    "code.ask_another": "Stuur de code van uw andere digicheque. Die staat op de brief, bv. ABCD-"
                        "EFGH-K.",
    "phone.change_ask": "Wat is uw nieuwe nummer? Bv. 0470 12 34 56",
    "phone.change_confirm": "Mag de coach u voortaan bellen op {number}?",
    "phone.changed": "Goed, de coach belt u op {number}.",
    "phone.kept": "Goed, uw nummer blijft hetzelfde.",
    "option.yes_number": "Ja, dit nummer",
    "option.no_change": "Nee, niet wijzigen",
    "stop.done_visit": "U krijgt geen berichten meer, ook geen herinneringen. Uw bezoek op "
                       "{start_day} om {start_time} blijft staan. Weer berichten? Stuur START.",
    "stopped.visit": "Uw bezoek op {start_day} om {start_time} blijft staan. U krijgt geen "
                     "berichten van ons. Verplaatsen of annuleren? Stuur START en dan MENU.",
    # Several visits: every one still to come is said (issue 9).
    "stop.done_visit.several": "U krijgt geen berichten meer, ook geen herinneringen. Uw "
                               "bezoeken blijven staan: {visits}. Weer berichten? Stuur START.",
    "stopped.visit.several": "Uw bezoeken blijven staan: {visits}. U krijgt geen berichten "
                             "van ons. Verplaatsen of annuleren? Stuur START en dan MENU.",
    "visits": "Uw {count} bezoeken, {street}:\n{lines}",
    "visits.apart": "Uw {count} bezoeken:\n{lines}",
    "visit.line": "{start_short} {start_time}-{end_time}: {topic}",
    "visit.line_at": "{start_short} {start_time}-{end_time}, {street}",
    "menu.what": "Wat wilt u doen?",
    "code.visit_left": "Uw digicheque is nog goed voor een bezoek: boek het hieronder. Een "
                       "andere brief? Stuur dan de code.",
    # Telegram: a button shares the number of the resident's account.
    "option.share_number": "Deel mijn nummer",
    "phone.ask.buttons": "Op welk nummer mag de coach u bellen? Tik op 'Deel mijn nummer', "
                         "of typ het, bv. 0470 12 34 56",
    "phone.change_ask.buttons": "Wat is uw nieuwe nummer? Tik op 'Deel mijn nummer', of typ "
                                "het, bv. 0470 12 34 56",
    "code.help": "De code staat op de brief van de stad: 9 letters en cijfers, zoals ABCD-EFGH-K."
                 " Typ ze over, met of zonder streepjes. Lukt het niet? Bel de stad: {phone}.",
    "code.photo": "Ik kan foto's nog niet lezen. De code staat op de brief: 9 letters en cijfers,"
                  " zoals ABCD-EFGH-K. Typ ze over, of bel de stad: {phone}.",
    "details.ask": "Wat wilt u wijzigen?",
    "option.address": "Adres",
    "option.phone": "Telefoonnummer",
    "option.topic": "Waarmee u hulp wilt",
    "where.change_details": "uw gegevens",
    "time.offer.buttons": "Wanneer mag de coach komen? Tik op een moment, of schrijf een dag, bv."
                          " dinsdag namiddag.",
    "time.offer_later.buttons": "Dit zijn latere momenten. Tik op een moment, of schrijf een dag.",
    "topic.invalid.buttons": "Dat begrijp ik niet. Tik op een knop hieronder.",
    "confirm.not_understood.buttons": "Tik op een knop hieronder.",
    "menu.not_understood.buttons": "Dat begrijp ik niet. Tik op een knop hieronder, of schrijf "
                                   "wat u wilt, bv. verzetten.",
    "time.offer_fit": "Deze momenten zijn vrij:",
    "time.too_soon": "Zo snel kan het niet: we plannen een bezoek minstens {hours} uur "
                     "vooraf. Het vroegst kan:",
    "time.beyond": "We plannen bezoeken tot {weeks} weken vooruit. Voor die dag kunt u ons "
                   "vanaf {again_day} opnieuw schrijven. Het dichtst bij kunnen we nu:",
    "faq.duration": "Een bezoek duurt ongeveer {minutes} minuten.",
    # Staff changed a visit (conversations/notices.py).
    "notice.menu": "Wat wilt u doen?",
    "notice.changed": "Er is iets gewijzigd aan uw bezoek. Vragen? Bel de stad: {phone}.",
    "notice.moved": "Let op: de stad heeft uw bezoek verplaatst. De coach komt nu op "
                    "{start_day} om {start_time}.",
    "notice.reassigned": "Uw bezoek op {start_day} om {start_time} gaat door, maar er komt "
                         "een andere coach.",
    "notice.cancelled": "Sorry, uw bezoek op {start_day} om {start_time} gaat niet door. "
                        "Vragen? Bel de stad: {phone}.",
    "notice.cancelled.offer": "Sorry, uw bezoek op {start_day} om {start_time} gaat niet "
                              "door. Uw digicheque is weer geldig. Kies een nieuw moment:",
    "notice.cancelled.none": "Sorry, uw bezoek op {start_day} om {start_time} gaat niet "
                             "door. Uw digicheque is weer geldig, maar er is nu geen moment "
                             "vrij. Stuur later een bericht, of bel de stad: {phone}.",
    "notice.no_show_coach": "Sorry, de coach kon op {start_day} om {start_time} niet komen. "
                            "Vragen? Bel de stad: {phone}.",
    "notice.no_show_coach.offer": "Sorry, de coach kon op {start_day} om {start_time} niet "
                                  "komen. Uw digicheque is weer geldig. Kies een nieuw "
                                  "moment:",
    "notice.no_show_coach.none": "Sorry, de coach kon op {start_day} om {start_time} niet "
                                 "komen. Uw digicheque is weer geldig, maar er is nu geen "
                                 "moment vrij. Stuur later een bericht, of bel de stad: "
                                 "{phone}.",
    "notice.no_show_resident": "De coach heeft u op {start_day} om {start_time} niet thuis "
                               "getroffen. Vragen? Bel de stad: {phone}.",
    "notice.no_show_resident.offer": "De coach heeft u op {start_day} om {start_time} niet "
                                     "thuis getroffen. U mag uw digicheque nog eens "
                                     "gebruiken. Kies een nieuw moment:",
    "notice.no_show_resident.none": "De coach heeft u op {start_day} om {start_time} niet "
                                    "thuis getroffen. U mag uw digicheque nog eens "
                                    "gebruiken, maar er is nu geen moment vrij. Stuur later "
                                    "een bericht, of bel de stad: {phone}.",
    "notice.closed": "Sorry, de coach kan op {start_day} om {start_time} niet komen. Kies "
                     "een ander moment voor uw bezoek:",
    "notice.closed.none": "Sorry, de coach kan op {start_day} om {start_time} niet komen, en "
                          "er is nu geen ander moment vrij. Stuur later een bericht, of bel "
                          "de stad: {phone}.",
}
