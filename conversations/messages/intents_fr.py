"""What French-speaking residents write when they mean something after booking.

Same intents as intents_nl.py; read by conversations/intents.py ("=" : whole message).
"""

INTENTS: dict[str, tuple[str, ...]] = {
    "why": (
        "pourquoi avez vous besoin", "pourquoi demandez vous", "a quoi ca sert",
        "pourquoi mon adresse", "pourquoi mon numero", "pourquoi voulez vous savoir",
        "que faites vous de mes",
    ),
    "cannot": (
        "malade", "hopital", "grippe", "je ne me sens pas bien", "pas en forme",
    ),
    "came": (
        "est venu", "est venue", "est passe", "est passee", "etait la", "m a aide",
        "a aide", "c etait bien", "c etait super", "c etait top", "tres bien passe",
    ),
    "not_came": (
        "pas venu", "pas venue", "jamais venu", "jamais venue", "personne", "pas passe",
        "pas passee", "pas vu", "n est pas venu", "attendu pour rien",
    ),
    "move": (
        "deplacer", "deplacez", "deplace", "changer la date", "changer le jour",
        "changer de jour", "changer l heure", "changer le rendez vous", "changer la visite",
        "reporter", "reportez", "decaler", "autre jour", "autre date", "autre moment",
        "autre heure", "=plus tard", "je ne peux pas venir", "ne peux pas", "ne pourrai pas",
        "pas disponible", "pas libre", "pas la", "pas chez moi", "empeche", "modifier la date",
        "un autre jour",
    ),
    "cancel": (
        "annuler", "annulez", "annule", "annulation", "plus besoin", "n ai plus besoin",
        "pas besoin", "laisser tomber", "supprimer", "ne viendra pas",
    ),
    "when": (
        "quand", "quel jour", "quelle heure", "a quelle heure", "c est quand",
        "date de ma visite", "=mon rendez vous", "=ma visite", "=rendez vous",
        "quelle date", "voir ma visite", "voir mes visites", "=mes visites",
        "=mes rendez vous",
    ),
    "person": (
        "appeler quelqu un", "parler a quelqu un", "telephoner", "joindre quelqu un",
        "une vraie personne", "parler a une personne", "numero de la ville",
    ),
    "thanks": (
        "merci", "merci beaucoup", "merci bien", "gentil", "super", "genial",
        "tres bien aide", "content", "contente",
    ),
    "new_phone": (
        "nouveau numero", "autre numero", "changer de numero", "numero a change",
        "change de numero", "numero de telephone a change", "nouveau gsm",
        "nouveau telephone", "changer mon numero", "modifier mon numero",
    ),
    "new_address": (
        "demenage", "demenager", "nouvelle adresse", "autre adresse", "changer d adresse",
        "adresse a change", "j habite maintenant",
    ),
    "cost": (
        "combien", "coute", "couter", "prix", "payer", "gratuit", "cout", "argent",
        "payant", "frais",
    ),
    "who": (
        "qui vient", "qui est le coach", "quel coach", "qui est ce", "qui va venir",
        "nom du coach", "comment reconnaitre", "son nom", "comment s appelle",
    ),
    "company": (
        "etre present", "etre presente", "etre la", "present", "presente",
        "ma fille aussi", "mon fils aussi", "mon mari aussi", "ma femme aussi",
        "accompagne", "accompagnee", "avec moi",
    ),
    "duration": ("combien de temps", "ca dure", "duree", "dure combien", "longtemps"),
    "prepare": (
        "preparer", "que dois je", "quoi preparer", "apporter", "besoin de quoi",
        "qu est ce qu il faut", "faut il preparer", "avoir pret",
    ),
    "safe": (
        "securise", "securite", "arnaque", "fiable", "confiance", "fraude", "est ce vrai",
        "c est vrai", "escroquerie", "phishing",
    ),
    "new_code": (
        "nouveau code", "autre code", "deuxieme code", "un autre code", "autre lettre",
        "une autre lettre", "deuxieme lettre", "aussi une lettre", "nouveau cheque",
        "autre cheque", "deuxieme cheque", "aussi un cheque", "recu une lettre",
        "une autre visite", "deuxieme visite", "encore une visite",
    ),
    "no_code": (
        "pas de code", "n ai pas de code", "ne peux pas lire", "arrive pas a lire",
        "une photo", "photo", "ou est le code", "trouve pas le code", "quel code",
        "lettre perdue", "perdu la lettre", "pas de lettre",
    ),
    "speak_fr": (
        "je parle francais", "parle francais", "parlez vous francais", "en francais",
        "francais svp", "je ne parle pas neerlandais", "je ne parle pas le neerlandais",
        "pas le neerlandais", "je ne comprends pas le neerlandais", "je ne parle pas flamand",
    ),
    "speak_nl": ("je parle neerlandais", "en neerlandais"),
    "speak_en": ("je parle anglais", "en anglais"),
}
