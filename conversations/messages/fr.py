"""French: the same messages as nl.py, in plain French, GSM-7 only.

GSM-7 has é è à ù and É, so French keeps them ("numéro", "à domicile"); it lacks the
circumflex, ç, ë and ï and À, so words with those are avoided ('être', 'reçu') or
written without ('A quel numéro').
"""

MESSAGES: dict[str, str] = {
    "welcome": "Bonjour! Ici, vous pouvez utiliser un digicheque pour recevoir de l'aide à "
               "domicile avec votre GSM, tablette ou ordinateur.",
    "code.ask": "Envoyez le code de votre digicheque. Il est sur la lettre, p.ex. ABCD-EFGH-K.",
    "code.accepted": "Merci, votre code est bon.",
    "code.typo": "Un signe du code n'est pas correct. Regardez bien la lettre et envoyez le "
                 "code encore une fois.",
    "code.malformed": "Ce n'est pas un code complet. Un code a 9 signes, p.ex. ABCD-EFGH-K. "
                      "Envoyez le code encore une fois.",
    "code.not_a_code": "Envoyez le code de votre digicheque, p.ex. ABCD-EFGH-K. Pas de code? "
                       "Envoyez AIDE.",
    "code.unknown": "Nous ne connaissons pas ce code. Regardez bien la lettre et envoyez le "
                    "code encore une fois.",
    "code.used": "Ce code est déjà utilisé. Des questions? Appelez la ville: {phone}.",
    "code.void": "Ce code n'est plus valable. Des questions? Appelez la ville: {phone}.",
    "code.expired": "Ce code est expiré. Des questions? Appelez la ville: {phone}.",
    "code.locked": "Vous avez envoyé trop de codes faux. Essayez dans une heure, ou appelez la "
                   "ville: {phone}.",
    "postcode.ask": "Quel est votre code postal?",
    "postcode.invalid": "Un code postal a 4 chiffres, p.ex. 9100. Quel est votre code postal?",
    "postcode.outside": "Le code postal {postcode} n'est pas à {city}. Nos coachs viennent "
                        "seulement à {city}. Appelez la ville: {phone}. Ou envoyez un autre "
                        "code postal.",
    "street.ask": "Quelle est votre rue et votre numéro? P.ex. Kerkstraat 12",
    "street.invalid": "Envoyez votre rue et votre numéro, p.ex. Kerkstraat 12",
    "street.number_missing": "Envoyez aussi votre numéro de maison, p.ex. Kerkstraat 12",
    "street.too_long": "C'est trop long. Envoyez seulement la rue et le numéro, "
                       "p.ex. Kerkstraat 12",
    "phone.ask_sms": "A quel numéro le coach peut-il vous appeler? Répondez 1 pour ce numéro "
                     "(fin {last}), ou envoyez un autre numéro.",
    "phone.ask": "A quel numéro le coach peut-il vous appeler? P.ex. 0470 12 34 56",
    "phone.invalid": "Je ne peux pas lire ce numéro.",
    "topic.ask": "Pour quoi voulez-vous de l'aide?",
    "topic.invalid": "Je ne comprends pas. Répondez avec un chiffre.",
    "topic.ask_text": "Écrivez en quelques mots pour quoi vous voulez de l'aide.",
    "topic.smartphone": "Smartphone ou tablette",
    "topic.computer": "Ordinateur",
    "topic.itsme": "itsme",
    "topic.banking": "Banque en ligne",
    "topic.email": "E-mail",
    "topic.government": "Sites web des services publics",
    "topic.other": "Autre chose",
    "time.offer": "Quand le coach peut-il venir? Choisissez un numéro, ou écrivez un jour, "
                  "p.ex. mardi après-midi.",
    "time.offer_later": "Voici des moments plus tard. Choisissez un numéro, ou écrivez un jour.",
    "time.offer_wrap": "Il n'y a pas de moments plus tard. Voici les premiers moments libres:",
    "time.offer_nearest": "Ce moment n'est pas libre. Voici les moments les plus proches:",
    "time.not_understood": "Je ne comprends pas.",
    "time.gone": "Ce moment n'est plus libre. Choisissez un autre moment:",
    "time.taken": "Pardon, quelqu'un d'autre a pris ce moment. Choisissez un autre moment:",
    "time.none": "Pardon, il n'y a pas de moments libres. Essayez plus tard ou appelez la "
                 "ville: {phone}.",
    "confirm.book": "C'est correct? Visite le {start_day} de {start_time} à {end_time}, "
                    "{street}, {postcode}. Tél. {number}. Aide pour: {topic}.",
    "confirm.move": "Déplacer votre visite au {start_day} de {start_time} à {end_time}?",
    "confirm.not_understood": "Répondez avec un chiffre.",
    "booked": "C'est fait! Visite le {start_short} à {start_time}.",
    "booked.prepare": "Il a un badge de la ville et ne demande jamais vos codes PIN ni mots de "
                      "passe: vous les tapez. Changer? MENU.",
    "moved": "C'est fait! Votre visite est maintenant le {start_day} à {start_time}. "
             "Envoyez MENU pour plus.",
    "menu": "Votre visite est le {start_day} à {start_time}. Que voulez-vous faire?",
    "menu.already_booked": "Votre visite est déjà réservée.",
    "menu.no_visit": "Vous n'avez pas de visite prévue.",
    "menu.not_understood": "Je ne comprends pas. Répondez avec un chiffre, ou écrivez ce "
                           "que vous voulez, p.ex. déplacer.",
    "visit": "Votre visite: {start_day} de {start_time} à {end_time}, {street}, {postcode}. "
             "Aide pour: {topic}.",
    "deadline": "Il est trop tard pour déplacer ou annuler par message. Appelez la ville: "
                "{phone}.",
    "cancel.ask": "Voulez-vous annuler votre visite du {start_day} à {start_time}?",
    "cancelled": "Votre visite est annulée. Vous pouvez utiliser votre digicheque encore une "
                 "fois: envoyez le code pour une nouvelle visite.",
    "cancel.kept": "Bien, votre visite reste prévue.",
    "stop.ask": "Vous ne voulez plus recevoir de messages de nous?",
    "stop.done": "Vous ne recevez plus de messages. Pour en recevoir encore, envoyez START.",
    "stopped": "Vous ne recevez pas de messages de nous. Pour en recevoir, envoyez START.",
    "start.again": "Bon retour! Vous recevez de nouveau des messages.",
    "resume": "Bon retour. Nous parlions de {where}.",
    "where.ask_postcode": "votre adresse",
    "where.ask_street": "votre adresse",
    "where.ask_phone": "votre numéro de téléphone",
    "where.ask_topic": "l'aide que vous voulez",
    "where.ask_topic_text": "l'aide que vous voulez",
    "where.ask_time": "un moment pour votre visite",
    "where.confirm": "un moment pour votre visite",
    "where.ask_code": "votre code",
    "input.group": "Écrivez-moi en privé, s'il vous plait, pas dans un groupe.",
    "input.sticker": "Merci! Mais je peux lire seulement du texte.",
    "input.photo": "Je ne peux pas voir les photos. Tapez votre réponse, s'il vous plait.",
    "input.voice": "Je ne peux pas écouter les messages vocaux. Tapez votre réponse, s'il vous "
                   "plait.",
    "input.location": "Merci. Tapez votre adresse en texte, s'il vous plait.",
    "input.other": "Je peux lire seulement du texte. Tapez votre réponse, s'il vous plait.",
    "input.empty": "J'ai recu un message vide.",
    "input.edited": "Vous avez modifié un message. Envoyez votre réponse dans un nouveau "
                    "message, s'il vous plait.",
    "language.changed": "Bien, nous parlons francais.",
    "language.unavailable": "Cette langue n'est pas encore disponible.",
    "help": "Répondez à la question ci-dessous. Envoyez MENU pour recommencer, ou appelez la "
            "ville: {phone}.",
    "error.sorry": "Désolé, un problème est survenu chez nous.",
    "person": "Vous voulez parler à quelqu'un? Appelez la ville: {phone}.",
    "handoff.requested": "Bien. Un collaborateur de la ville vous répondra ici, dès que "
                         "possible. Vous pouvez déjà envoyer votre question. Retour au "
                         "bot? Envoyez MENU.",
    "handoff.waiting": "Merci, nous avons votre message. Un collaborateur vous répondra dès "
                       "que possible. Retour au bot? Envoyez MENU.",
    "handoff.left": "Bien, vous parlez à nouveau avec le bot digicheque.",
    "handoff.text_only": "Le collaborateur ne peut lire que du texte. Écrivez votre question "
                         "dans un message.",
    "handoff.staff": "Collaborateur ville de {city}: {text}",
    "handoff.closed": "Le collaborateur a terminé votre question. Vous parlez à nouveau avec "
                      "le bot digicheque.",
    "reminder.day_before": "Rappel: demain, {start_day}, de {start_time} à {end_time}, le "
                           "coach numérique vient chez vous: {street}, {postcode}. Serez-vous "
                           "là?",
    "reminder.soon": "Rappel: aujourd'hui, {start_day}, de {start_time} à {end_time}, le coach "
                     "numérique vient chez vous: {street}, {postcode}. Serez-vous là?",
    "reminder.day_before.late": "Rappel: demain, {start_day}, de {start_time} à {end_time}, le "
                                "coach numérique vient chez vous: {street}, {postcode}. Un "
                                "souci? Appelez la ville: {phone}.",
    "reminder.soon.late": "Rappel: aujourd'hui, {start_day}, de {start_time} à "
                          "{end_time}, le coach numérique vient chez vous: {street}, "
                          "{postcode}. Un souci? Appelez la ville: {phone}.",
    "option.be_there": "Je serai là",
    "option.move_visit": "Changer la date",
    "option.call_off": "Annuler",
    "reminder.thanks": "Merci! Le coach vient le {start_day} à {start_time}. Bonne journée!",
    "reminder.cannot": "Vous ne serez pas là? Vous pouvez changer la date ou annuler la "
                       "visite.",
    "followup.ask": "Le coach est-il venu chez vous le {start_day}? Votre réponse nous aide.",
    "option.coach_came": "Oui",
    "option.coach_not_came": "Non",
    "followup.thanks": "Merci! Nous espérons que l'aide du coach vous a été utile.",
    "followup.sorry": "Désolé que le coach ne soit pas venu. Votre digichèque est de nouveau "
                      "valable pour une visite.",
    "followup.new_time": "Voulez-vous un nouveau moment?",
    "option.new_time": "Oui",
    "option.no_new_time": "Non",
    "followup.later": "Bien. Vous voulez une visite plus tard? Envoyez alors le "
                      "code de votre digichèque.",
    "option.own_number": "Ce numéro",
    "option.slot": "{start_short} {start_time}-{end_time}",
    "option.other_day": "Autre jour",
    "option.menu": "Menu",
    "option.yes_book": "Oui, réserver",
    "option.yes_move": "Oui, déplacer",
    "option.other_time": "Autre moment",
    "option.change_details": "Changer adresse, numéro ou aide",
    "option.see": "Voir ma visite",
    "option.move": "Déplacer",
    "option.cancel": "Annuler",
    "option.person": "Parler à quelqu'un",
    "option.yes_cancel": "Oui, annuler",
    "option.no_keep": "Non, garder",
    "option.yes_stop": "Oui, stop",
    "option.no_go_on": "Non, continuer",
    "option.go_on": "Continuer",
    "option.start_again": "Recommencer",
    "faq.cost": "La visite est gratuite: le digicheque de la ville la paie.",
    "faq.why": "Le coach vient chez vous et vous appelle si besoin: c'est pour cela que nous "
               "demandons votre adresse et votre numéro. Ils servent seulement pour la visite "
               "et sont supprimés ensuite.",
    "faq.who": "Un coach numérique d'un partenaire de la ville vient chez vous. Il montre un "
               "badge de la ville et ne demande jamais votre code PIN ni vos mots de passe.",
    "faq.company": "Oui, quelqu'un peut rester avec vous, p.ex. votre fille, votre fils ou "
                   "un voisin.",
    "faq.prepare": "Préparez votre appareil et son chargeur, et votre carte d'identité pour "
                   "itsme. Votre code PIN et vos mots de passe, vous les tapez seul: le "
                   "coach ne les demande jamais.",
    "faq.safe": "Oui, le digicheque vient de la ville. Le coach ne demande jamais d'argent, votre"
                " code PIN ni vos mots de passe. Un doute? Appelez la ville: {phone}.",
    "faq.new_address": "Vous avez déménagé? Appelez la ville: {phone}. Nous adaptons votre "
                       "visite.",
    "thanks": "Avec plaisir! Le coach vient le {start_day} à {start_time}. Bonne journée! "
              "Changer quelque chose? Envoyez MENU.",
    "thanks.asked": "Avec plaisir!",
    "thanks.no_visit": "Avec plaisir, et merci! Un autre digicheque? Envoyez le code.",
    "menu.ok": "Bien! Votre visite reste le {start_day} à {start_time}. Changer quelque chose? "
               "Envoyez MENU.",
    # Several visits (a two-visit cheque, or a second code on the same phone).
    "menu.several": "Vous avez {count} visites: {visits}. Que voulez-vous faire?",
    "menu.ok.several": "Bien! Vos visites restent: {visits}. Changer quelque chose? Envoyez "
                       "MENU.",
    "thanks.several": "Avec plaisir! Le coach vient: {visits}. Bonne journée! Changer quelque "
                      "chose? Envoyez MENU.",
    "which.move": "Quelle visite voulez-vous déplacer?",
    "which.cancel": "Quelle visite voulez-vous annuler?",
    "option.visit": "{start_short} {start_time}",
    "option.another_visit": "Réserver une autre visite",
    "cancelled.one": "Votre visite du {start_day} à {start_time} est annulée. Votre autre "
                     "visite reste prévue.",
    "booked.another": "Votre digicheque vaut encore une visite: envoyez MENU pour la réserver.",
    "code.ask_another": "Envoyez le code de votre autre digicheque. Il est sur la lettre, p.ex. "
                        "ABCD-EFGH-K.",
    "phone.change_ask": "Quel est votre nouveau numéro? P.ex. 0470 12 34 56",
    "phone.change_confirm": "Le coach peut-il vous appeler désormais au {number}?",
    "phone.changed": "Bien, le coach vous appelle au {number}.",
    "phone.kept": "Bien, vous gardez votre numéro.",
    "option.yes_number": "Oui, ce numéro",
    "option.no_change": "Non, ne pas changer",
    "stop.done_visit": "Vous ne recevez plus de messages, ni de rappels. Votre visite du "
                       "{start_day} à {start_time} reste prévue. Pour des messages, envoyez "
                       "START.",
    "stopped.visit": "Votre visite du {start_day} à {start_time} reste prévue. Vous ne recevez "
                     "pas de messages. Déplacer ou annuler? Envoyez START, puis MENU.",
    # Several visits: every one still to come is said (issue 9).
    "stop.done_visit.several": "Vous ne recevez plus de messages, ni de rappels. Vos visites "
                               "restent prévues: {visits}. Pour des messages, envoyez START.",
    "stopped.visit.several": "Vos visites restent prévues: {visits}. Vous ne recevez pas de "
                             "messages. Déplacer ou annuler? Envoyez START, puis MENU.",
    "visits": "Vos {count} visites, {street}:\n{lines}",
    "visits.apart": "Vos {count} visites:\n{lines}",
    "visit.line": "{start_short} {start_time}-{end_time}: {topic}",
    "visit.line_at": "{start_short} {start_time}-{end_time}, {street}",
    "menu.what": "Que voulez-vous faire?",
    "code.visit_left": "Votre digicheque vaut encore une visite: réservez-la ci-dessous. Une "
                       "autre lettre? Envoyez alors le code.",
    # Telegram: a button shares the number of the resident's account.
    "option.share_number": "Partager mon numéro",
    "phone.ask.buttons": "A quel numéro le coach peut-il vous appeler? Touchez 'Partager mon "
                         "numéro', ou tapez-le, p.ex. 0470 12 34 56",
    "phone.change_ask.buttons": "Quel est votre nouveau numéro? Touchez 'Partager mon numéro',"
                                " ou tapez-le, p.ex. 0470 12 34 56",
    "code.help": "Le code est sur la lettre de la ville: 9 lettres et chiffres, comme ABCD-"
                 "EFGH-K. Tapez-le, avec ou sans tirets. Vous n'y arrivez pas? Appelez la ville: "
                 "{phone}.",
    "code.photo": "Je ne peux pas encore lire les photos. Le code est sur la lettre: 9 lettres et"
                  " chiffres, comme ABCD-EFGH-K. Tapez-le, ou appelez la ville: {phone}.",
    "details.ask": "Que voulez-vous changer?",
    "option.address": "Adresse",
    "option.phone": "Numéro de téléphone",
    "option.topic": "L'aide que vous voulez",
    "where.change_details": "vos données",
    "time.offer.buttons": "Quand le coach peut-il venir? Touchez un moment, ou écrivez un jour, "
                          "p.ex. mardi après-midi.",
    "time.offer_later.buttons": "Voici des moments plus tard. Touchez un moment, ou écrivez un "
                                "jour.",
    "topic.invalid.buttons": "Je ne comprends pas. Touchez un bouton ci-dessous.",
    "confirm.not_understood.buttons": "Touchez un bouton ci-dessous.",
    "menu.not_understood.buttons": "Je ne comprends pas. Touchez un bouton ci-dessous, ou écrivez"
                                   " ce que vous voulez, p.ex. déplacer.",
    "time.offer_fit": "Ces moments sont libres:",
    "time.too_soon": "C'est trop proche: nous planifions une visite au moins {hours} heures "
                     "à l'avance. Le plus proche possible:",
    "time.beyond": "Nous planifions les visites jusqu'à {weeks} semaines à l'avance. Pour ce "
                   "jour-là, écrivez-nous à partir du {again_day}. Le plus proche possible "
                   "maintenant:",
    "faq.duration": "Une visite dure environ {minutes} minutes.",
    # Staff changed a visit (conversations/notices.py).
    "notice.menu": "Que voulez-vous faire?",
    "notice.changed": "Votre visite a changé. Des questions? Appelez la ville: {phone}.",
    "notice.moved": "Attention: la ville a déplacé votre visite. Le coach vient maintenant le "
                    "{start_day} à {start_time}.",
    "notice.reassigned": "Votre visite du {start_day} à {start_time} a bien lieu, avec un "
                         "autre coach.",
    "notice.cancelled": "Pardon, votre visite du {start_day} à {start_time} ne peut pas avoir "
                        "lieu. Des questions? Appelez la ville: {phone}.",
    "notice.cancelled.offer": "Pardon, votre visite du {start_day} à {start_time} ne peut pas "
                              "avoir lieu. Votre digicheque est à nouveau valable. Choisissez "
                              "un nouveau moment:",
    "notice.cancelled.none": "Pardon, votre visite du {start_day} à {start_time} ne peut pas "
                             "avoir lieu. Votre digicheque est à nouveau valable, mais aucun "
                             "moment n'est libre. Envoyez-nous un message plus tard, ou appelez la "
                             "ville: {phone}.",
    "notice.no_show_coach": "Pardon, le coach n'a pas pu venir le {start_day} à {start_time}. "
                            "Des questions? Appelez la ville: {phone}.",
    "notice.no_show_coach.offer": "Pardon, le coach n'a pas pu venir le {start_day} à "
                                  "{start_time}. Votre digicheque est à nouveau valable. "
                                  "Choisissez un nouveau moment:",
    "notice.no_show_coach.none": "Pardon, le coach n'a pas pu venir le {start_day} à "
                                 "{start_time}. Votre digicheque est à nouveau valable, mais "
                                 "aucun moment n'est libre. Envoyez-nous un message plus tard, ou "
                                 "appelez la ville: {phone}.",
    "notice.no_show_resident": "Le coach ne vous a pas trouvé chez vous le {start_day} à "
                               "{start_time}. Des questions? Appelez la ville: {phone}.",
    "notice.no_show_resident.offer": "Le coach ne vous a pas trouvé chez vous le {start_day} "
                                     "à {start_time}. Vous pouvez utiliser votre digicheque "
                                     "encore une fois. Choisissez un nouveau moment:",
    "notice.no_show_resident.none": "Le coach ne vous a pas trouvé chez vous le {start_day} "
                                    "à {start_time}. Vous pouvez utiliser votre digicheque "
                                    "encore une fois, mais aucun moment n'est libre. "
                                    "Envoyez-nous un message plus tard, ou appelez la ville: "
                                    "{phone}.",
    "notice.closed": "Pardon, le coach ne peut pas venir le {start_day} à {start_time}. "
                     "Choisissez un autre moment pour votre visite:",
    "notice.closed.none": "Pardon, le coach ne peut pas venir le {start_day} à {start_time}, "
                          "et aucun autre moment n'est libre. Envoyez-nous un message "
                          "plus tard, ou appelez la ville: {phone}.",
}
