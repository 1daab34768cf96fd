"""What Dutch-speaking (and Flemish) residents write when they mean something after booking.

One entry per intent: the phrases that mean it. The reader (conversations/intents.py) is
forgiving about case, accents, punctuation, a typo or two in longer words and words in
between ("ik kan woensdag niet komen" matches "kan niet komen"). A phrase that starts
with "=" must be the whole message (bar polite filler words): "later" alone means move,
"ik bel later" does not. Adding a phrase here never needs code.
"""

INTENTS: dict[str, tuple[str, ...]] = {
    "why": (
        "waarom moet u dat weten", "waarom wilt u dat weten", "waarom vraagt u dat",
        "waarom vraagt u mijn", "waarom mijn adres", "waarom mijn nummer",
        "waarvoor dient dat", "waarom is dat nodig", "wat doet u met mijn",
        "wat doen jullie met mijn",
    ),
    "cannot": (
        "ziek", "ben ziek", "ziekenhuis", "griep", "corona", "covid", "voel me niet goed",
        "ben niet in orde", "ben niet fit", "=kan er niet zijn",
    ),
    "came": (
        "is geweest", "is gekomen", "is langs geweest", "was er", "was hier", "kwam",
        "heeft geholpen", "goed geholpen", "was fijn", "was goed", "was super",
        "was top", "was prima",
    ),
    "not_came": (
        "niet geweest", "niet gekomen", "kwam niet", "niemand", "nooit gekomen",
        "kwam nooit", "was er niet", "is er niet", "niet langs geweest", "niet verschenen",
        "niet komen opdagen", "niet opgedaagd", "ben blijven wachten", "tevergeefs gewacht",
    ),
    "move": (
        "verzetten", "verplaatsen", "verplaats", "verzet", "uitstellen", "uitstel",
        "verschuiven", "=later", "=een andere keer", "andere dag", "ander moment",
        "andere datum", "ander uur", "ander tijdstip", "andere keer", "kan niet komen",
        "kunnen niet komen", "kan nie komen", "kan ni komen", "kan dan niet",
        "kan die dag niet", "kan niet op",
        "ben niet thuis", "ben er niet", "ben dan niet", "past niet", "past mij niet",
        "komt niet goed uit", "lukt niet", "lukt dan niet", "datum veranderen",
        "dag veranderen", "afspraak veranderen", "afspraak wijzigen", "datum wijzigen",
        "naar een andere dag", "kan het later", "vroeger", "dag later", "week later",
        "uur later", "dagje later",
    ),
    "cancel": (
        "annuleren", "annuleer", "annulering", "afzeggen", "zeg af", "afzegging",
        "afgelasten", "schrappen", "intrekken", "geen hulp meer nodig", "niet meer nodig",
        "hoeft niet meer", "moet niet meer", "wil niet meer", "niet meer komen",
        "laat maar zitten", "=laat maar", "hoeft niet", "geen bezoek meer",
        "heb het al opgelost", "al geholpen",
    ),
    "when": (
        "wanneer", "welke dag", "hoe laat", "welk uur", "hoe laat komt",
        "wanneer komt", "wanneer is", "wanneer was", "datum van mijn afspraak",
        "wat was de datum", "=mijn afspraak", "=mijn bezoek", "=afspraak", "=bezoek",
        "wat is mijn afspraak", "welk tijdstip", "komt de coach nog", "komt de coach",
        "komt die coach", "komt hij nog", "komt ze nog", "gaat de coach nog komen",
        "bezoek bekijken", "bezoeken bekijken", "=mijn bezoeken", "=bezoeken",
        "=mijn afspraken", "afspraken bekijken",
    ),
    "person": (
        "iemand bellen", "iemand spreken", "met iemand praten", "iemand aan de lijn",
        "telefoneren", "bel mij op", "mag ik bellen", "kan ik bellen", "een mens",
        "echte persoon", "medewerker spreken", "nummer van de stad", "telefoonnummer van de stad",
    ),
    "thanks": (
        "dank", "bedankt", "dank u", "dank je", "dank u wel", "merci", "dankjewel",
        "dankuwel", "vriendelijk", "fijn", "super", "top", "heel goed geholpen",
        "goed geholpen", "tevreden",
    ),
    "new_phone": (
        "nieuw nummer", "nieuwe nummer", "ander nummer", "nummer veranderd",
        "nummer is veranderd", "nummer gewijzigd", "nummer is gewijzigd", "nieuwe gsm",
        "nieuw gsm nummer", "nieuw gsmnummer", "gsm nummer veranderd",
        "gsmnummer veranderd", "telefoonnummer veranderd", "nummer aanpassen",
        "nummer wijzigen", "nummer veranderen", "ander telefoonnummer",
        "nieuw telefoonnummer", "bel mij op een ander nummer",
    ),
    "new_address": (
        "verhuisd", "verhuizen", "verhuis", "nieuw adres", "ander adres",
        "adres veranderd", "adres gewijzigd", "adres wijzigen", "adres veranderen",
        "woon nu", "woon niet meer",
    ),
    "cost": (
        "kost", "kosten", "kostprijs", "prijs", "betalen", "gratis", "hoeveel",
        "moet ik iets betalen", "geld", "iets kosten", "te betalen",
    ),
    "who": (
        "wie komt", "wie is de coach", "wie is het", "welke coach", "wie komt er",
        "naam van de coach", "hoe heet de coach", "wie zal er komen", "wie stuurt",
        "zijn naam", "haar naam", "hoe heet hij", "hoe heet zij",
        "wie gaat er komen", "wie gaat komen",
        "hoe herken ik",
    ),
    "company": (
        "erbij zijn", "erbij", "bij zijn", "mag er iemand bij", "aanwezig zijn",
        "aanwezig", "meekijken", "mag mijn dochter", "mag mijn zoon", "mag mijn man",
        "mag mijn vrouw", "mijn dochter ook", "mijn zoon ook", "samen met",
    ),
    "duration": (
        "hoelang", "hoe lang", "hoelang duurt", "hoe lang duurt", "duurt het lang",
        "hoeveel tijd", "hoeveel uur",
    ),
    "prepare": (
        "klaarleggen", "klaar leggen", "klaarzetten", "voorbereiden", "wat moet ik",
        "wat heb ik nodig", "moet ik iets", "meebrengen", "wat leg ik klaar",
        "moet ik iets klaarleggen", "klaar hebben",
    ),
    "safe": (
        "veilig", "betrouwbaar", "oplichting", "oplichter", "oplichters", "fraude",
        "is dit echt", "is dat echt", "echt van de stad", "te vertrouwen", "vertrouwen",
        "phishing", "nep", "vals",
    ),
    "new_code": (
        "nieuwe code", "andere code", "tweede code", "nog een code", "nog een brief",
        "ook een brief", "tweede brief", "andere brief", "nog een cheque",
        "tweede cheque", "nog een digicheque", "ook een digicheque", "ook een cheque",
        "nog een bon", "brief gekregen", "cheque gekregen", "tweede bezoek",
        "nog een bezoek", "extra bezoek",
    ),
    "no_code": (
        "geen code", "heb geen code", "kan niet lezen", "kan de code niet lezen",
        "kan de letters niet lezen", "ni goe lezen", "nie goed lezen", "niet goed lezen",
        "kan het niet lezen", "stuur een foto", "foto", "waar staat de code", "waar staat",
        "waar vind ik de code", "waar is de code",
        "vind de code niet", "welke code", "brief kwijt", "geen brief", "da lukt ni",
        "dat lukt niet", "snap het niet",
    ),
    "speak_nl": (
        "ik spreek nederlands", "spreek nederlands", "in het nederlands", "nederlands aub",
        "in het vlaams", "ik spreek vlaams", "ik spreek geen frans", "ik spreek geen engels",
        "ik versta geen frans", "ik versta geen engels",
    ),
    "speak_fr": ("ik spreek frans", "in het frans", "liever frans"),
    "speak_en": ("ik spreek engels", "in het engels", "liever engels"),
}
