"""French: the same messages as nl.py, in plain French, GSM-7 only (no c cedilla, no
circumflex: 'reessayer', 'etre' are avoided by choosing other words)."""

MESSAGES: dict[str, str] = {
    "welcome": "Bonjour! Ici, vous pouvez utiliser un digicheque pour recevoir de l'aide a "
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
    "code.used": "Ce code est deja utilise. Des questions? Appelez la ville: {phone}.",
    "code.void": "Ce code n'est plus valable. Des questions? Appelez la ville: {phone}.",
    "code.expired": "Ce code est expire. Des questions? Appelez la ville: {phone}.",
    "code.locked": "Vous avez envoye trop de codes faux. Essayez dans une heure, ou appelez la "
                   "ville: {phone}.",
    "postcode.ask": "Quel est votre code postal?",
    "postcode.invalid": "Un code postal a 4 chiffres, p.ex. 9100. Quel est votre code postal?",
    "postcode.outside": "Le code postal {postcode} n'est pas a {city}. Nos coachs viennent "
                        "seulement a {city}. Appelez la ville: {phone}. Ou envoyez un autre "
                        "code postal.",
    "street.ask": "Quelle est votre rue et votre numero? P.ex. Kerkstraat 12",
    "street.invalid": "Envoyez votre rue et votre numero, p.ex. Kerkstraat 12",
    "street.number_missing": "Envoyez aussi votre numero de maison, p.ex. Kerkstraat 12",
    "street.too_long": "C'est trop long. Envoyez seulement la rue et le numero, "
                       "p.ex. Kerkstraat 12",
    "phone.ask_sms": "A quel numero le coach peut-il vous appeler? Repondez 1 pour ce numero "
                     "(fin {last}), ou envoyez un autre numero.",
    "phone.ask": "A quel numero le coach peut-il vous appeler? P.ex. 0470 12 34 56",
    "phone.invalid": "Je ne peux pas lire ce numero.",
    "topic.ask": "Pour quoi voulez-vous de l'aide?",
    "topic.invalid": "Je ne comprends pas. Repondez avec un chiffre.",
    "topic.ask_text": "Ecrivez en quelques mots pour quoi vous voulez de l'aide.",
    "topic.smartphone": "Smartphone ou tablette",
    "topic.computer": "Ordinateur",
    "topic.itsme": "itsme",
    "topic.banking": "Banque en ligne",
    "topic.email": "E-mail",
    "topic.government": "Sites web des services publics",
    "topic.other": "Autre chose",
    "time.offer": "Quand le coach peut-il venir? Choisissez un numero, ou ecrivez un jour, "
                  "p.ex. mardi apres-midi.",
    "time.offer_later": "Voici des moments plus tard. Choisissez un numero, ou ecrivez un jour.",
    "time.offer_wrap": "Il n'y a pas de moments plus tard. Voici les premiers moments libres:",
    "time.offer_nearest": "Ce moment n'est pas libre. Voici les moments les plus proches:",
    "time.not_understood": "Je ne comprends pas.",
    "time.gone": "Ce moment n'est plus libre. Choisissez un autre moment:",
    "time.taken": "Pardon, quelqu'un d'autre a pris ce moment. Choisissez un autre moment:",
    "time.none": "Pardon, il n'y a pas de moments libres. Essayez plus tard ou appelez la "
                 "ville: {phone}.",
    "confirm.book": "C'est correct? Visite le {start_day} de {start_time} a {end_time}, "
                    "{street}, {postcode}. Aide pour: {topic}.",
    "confirm.move": "Deplacer votre visite au {start_day} de {start_time} a {end_time}?",
    "confirm.not_understood": "Repondez avec un chiffre.",
    "booked": "C'est fait! Le coach vient le {start_day} a {start_time}, {street}.",
    "booked.prepare": "Preparez: votre carte d'identite et son code PIN, votre appareil et son "
                      "chargeur, vos mots de passe si vous les avez. Deplacer ou annuler? "
                      "Envoyez MENU.",
    "moved": "C'est fait! Votre visite est maintenant le {start_day} a {start_time}. "
             "Envoyez MENU pour plus.",
    "menu": "Votre visite est le {start_day} a {start_time}. Que voulez-vous faire?",
    "menu.already_booked": "Votre visite est déjà réservée.",
    "menu.no_visit": "Vous n'avez pas de visite prevue.",
    "menu.not_understood": "Je ne comprends pas. Repondez avec un chiffre.",
    "visit": "Votre visite: {start_day} de {start_time} a {end_time}, {street}, {postcode}. "
             "Aide pour: {topic}.",
    "deadline": "Il est trop tard pour deplacer ou annuler par message. Appelez la ville: "
                "{phone}.",
    "cancel.ask": "Voulez-vous annuler votre visite du {start_day} a {start_time}?",
    "cancelled": "Votre visite est annulee. Vous pouvez utiliser votre digicheque encore une "
                 "fois: envoyez le code pour une nouvelle visite.",
    "cancel.kept": "Bien, votre visite reste prevue.",
    "stop.ask": "Vous ne voulez plus recevoir de messages de nous?",
    "stop.done": "Vous ne recevez plus de messages. Pour en recevoir encore, envoyez START.",
    "stopped": "Vous ne recevez pas de messages de nous. Pour en recevoir, envoyez START.",
    "start.again": "Bon retour! Vous recevez de nouveau des messages.",
    "resume": "Bon retour. Nous parlions de {where}.",
    "where.ask_postcode": "votre adresse",
    "where.ask_street": "votre adresse",
    "where.ask_phone": "votre numero de telephone",
    "where.ask_topic": "l'aide que vous voulez",
    "where.ask_topic_text": "l'aide que vous voulez",
    "where.ask_time": "un moment pour votre visite",
    "where.confirm": "un moment pour votre visite",
    "where.ask_code": "votre code",
    "input.group": "Ecrivez-moi en prive, s'il vous plait, pas dans un groupe.",
    "input.sticker": "Merci! Mais je peux lire seulement du texte.",
    "input.photo": "Je ne peux pas voir les photos. Tapez votre reponse, s'il vous plait.",
    "input.voice": "Je ne peux pas ecouter les messages vocaux. Tapez votre reponse, s'il vous "
                   "plait.",
    "input.location": "Merci. Tapez votre adresse en texte, s'il vous plait.",
    "input.other": "Je peux lire seulement du texte. Tapez votre reponse, s'il vous plait.",
    "input.empty": "J'ai recu un message vide.",
    "input.edited": "Vous avez modifie un message. Envoyez votre reponse dans un nouveau "
                    "message, s'il vous plait.",
    "language.changed": "Bien, nous parlons francais.",
    "language.unavailable": "Cette langue n'est pas encore disponible.",
    "help": "Repondez a la question ci-dessous. Envoyez MENU pour recommencer, ou appelez la "
            "ville: {phone}.",
    "error.sorry": "Désolé, un problème est survenu chez nous.",
    "person": "Vous voulez parler a quelqu'un? Appelez la ville: {phone}.",
    "reminder.day_before": "Rappel: demain, {start_day} a {start_time}, le coach numerique "
                           "vient chez vous. Deplacer? Envoyez MENU.",
    "reminder.soon": "Rappel: aujourd'hui a {start_time}, le coach numerique vient chez vous.",
    "option.own_number": "Ce numero",
    "option.slot": "{start_short} {start_time}-{end_time}",
    "option.other_day": "Autre jour",
    "option.menu": "Menu",
    "option.yes_book": "Oui, reserver",
    "option.yes_move": "Oui, deplacer",
    "option.other_time": "Autre moment",
    "option.change_details": "Changer adresse, numero ou aide",
    "option.see": "Voir ma visite",
    "option.move": "Deplacer",
    "option.cancel": "Annuler",
    "option.person": "Parler a quelqu'un",
    "option.yes_cancel": "Oui, annuler",
    "option.no_keep": "Non, garder",
    "option.yes_stop": "Oui, stop",
    "option.no_go_on": "Non, continuer",
    "option.go_on": "Continuer",
    "option.start_again": "Recommencer",
    "faq.cost": "La visite est gratuite: le digicheque de la ville la paie.",
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
    "thanks.no_visit": "Avec plaisir, et merci! Un autre digicheque? Envoyez le code.",
    "menu.ok": "Bien! Votre visite reste le {start_day} à {start_time}. Changer quelque chose? "
               "Envoyez MENU.",
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
}
