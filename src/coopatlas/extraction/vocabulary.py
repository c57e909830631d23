"""The words pages use for agreements, dates and themes, in French and English.

Patterns are matched on text folded by `coopatlas.core.text.normalise`-like rules (lower case,
accents kept out): write them without accents.
"""

import functools
import json
import re
from pathlib import Path

# Kinds of agreement, strongest first (the labelling rules' precedence).
KIND_ORDER = ["jumelage", "cooperation_agreement", "protocol", "friendship_pact", "project", "other"]

KIND_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "jumelage",
        re.compile(
            r"\bjumel\w*|villes? jumelles?|villes? s(?:oe|œ)urs?|twin(?:ned|ning|s)?\b|twin towns?"
            r"|sister[- ]cit(?:y|ies)|partnerstadt|st[aä]dtepartnerschaft|gemellaggio|hermanamiento"
            r"|hermanad[ao]s?",
        ),
    ),
    (
        "protocol",
        re.compile(
            r"protocole?s? d'(?:accord|entente|amitie|intention|cooperation)|protocole de cooperation"
            r"|declarations? d'intentions?|lettres? d'intention|memorand(?:um|a)|\bmou\b"
            r"|letters? of intent|declarations? of intent|protocols? of (?:agreement|understanding)",
        ),
    ),
    (
        "cooperation_agreement",
        re.compile(
            r"(?:convention|accord)s?(?:[- ]cadres?)? (?:de |d')(?:cooperation|partenariat|amitie et de cooperation)"
            r"|(?:cooperation|partnership|friendship and cooperation) agreements?"
            r"|conventions? (?:ont|a) ete signee|signature d'une convention|une convention"
            r"|ententes? (?:cadre )?(?:de |d')(?:cooperation|partenariat|amitie)"
            r"|agreements? of cooperation",
        ),
    ),
    (
        "friendship_pact",
        re.compile(
            r"(?:pacte|charte|traite)s? d'amitie|friendship (?:pact|charter|agreement)s?|pacte d'amitie"
        ),
    ),
    (
        "project",
        re.compile(r"projets? de cooperation|cooperation (?:decentralisee|project)|projet(?:s)? commun"),
    ),
    (
        "other",
        re.compile(
            r"\bpartenariat\b|\bcooperation\b|\bpartnership\b|relations? (?:privilegiee|d'amitie)"
            r"|partenaires?|partner (?:city|town|cities|towns)|friendship cit"
        ),
    ),
]

# Words that make a sentence state a relationship between the places it names.
RELATION = re.compile(
    r"jumel|villes? jumelles?|twin|sister|cooper|partenari|partenaire|convention|accord|protocole"
    r"|pacte|charte|entente|memorand|partner|agreement|friendship|amitie|relations? avec"
    r"|relations? entre|liens? avec|lie[es]? (?:a|avec)|partnerstadt|d'intentions?|of intent",
)

# Sentences about networks, events and venues: the places in them are not partners.
NOT_PARTNERS = re.compile(
    r"\breseau\b|\bnetwork\b|aux cotes de|alongside|co-?fond|fondateur|founding members?|membres? de"
    r"|members? of|sommet|summit|congres|congress|conference|salon|forum|festival"
    r"|ambassade|embassy|consulat|consulate|voyage|sejour|excursion|\btrip\b|\btour\b"
    r"|tournoi|tournament|championnat|championship|competition|\bmatch\b",
)

# Visits and receptions: the places in them are partners only where an agreement is named too.
VISITS = re.compile(
    r"\bdelegation|\bvisit\w*|rendu visite|s'est rendue?s?|\brecu\w*|accueilli\w*|rencontr\w*"
)
# "Malgré l'absence de conventions", "sans accord", "not twinned": the relation is denied.
DENIED = re.compile(
    r"absence d(?:e |')(?:conventions?|accords?|jumelages?|partenariats?|cooperation)"
    r"|\bsans (?:convention|accord|jumelage)|\bpas de (?:convention|accord|jumelage)"
    r"|\baucune? (?:convention|accord|jumelage)|n'(?:est|sont|ont|a) (?:pas|jamais) (?:ete )?(?:jumel|sign)"
    r"|\bno (?:formal )?(?:agreement|twinning)|\bnot (?:twinned|signed)|\bwithout (?:an? )?(?:agreement|twinning)"
)
# A year said to be when the agreement was made (strongest), or when the relation began.
FOUNDING = re.compile(
    r"sign\w*|jumel\w*|twinned|conclu\w*|officialis\w*|scell\w*|serment|ratifi\w*|establish\w*"
    r"|fonde\w*|founded|formalis\w*|1er partenariat|premier partenariat|premiere signature"
    r"|annee de signature|paraph\w*",
)
START = re.compile(
    r"depuis|\bdes\b|debut\w*|commenc\w*|remont\w*|since|began|begun|started|starting|\bfrom\b"
    r"|annee de debut|\bnee?\b en|ne[e]? en|initi\w*|lanc\w*",
)
NOT_FOUNDING = re.compile(
    r"anniversaire|anniversary|\bans\b|years|renouvel\w*|renew\w*|visite?|visited|visit|voyage"
    r"|trip|delegation|rencontre|meeting|mission|ceremonie",
)

# Generic words written before a name; left out of names ("Ville de Lille" → Lille).
GENERIC_PREFIX = re.compile(
    r"^(?:(?:la|le|l'|les|the)\s*)?(?:ville|commune|municipalite|mairie|cite|agglomeration"
    r"|metropole|region|departement|conseil (?:departemental|regional|municipal|general)"
    r"|communaute (?:d'agglomeration|de communes|urbaine)|collectivite|province|oblast|voivodie"
    r"|voivodeship|land|canton|comte|county|district|arrondissement|prefecture|gouvernorat"
    r"|wilaya|city|town|municipality|borough|state|etat|landkreis|kreis|gemeinde|stadt"
    r"|maire|mayor)\s+(?:(?:de|du|des|d'|of|la|le|l')\s*)*",
    re.IGNORECASE,
)
# Levels written before a foreign name that make it an authority of that level.
LEVEL_WORDS = {
    "oblast": "region", "province": "province", "region": "region", "voivodie": "region",
    "voivodeship": "region", "land": "region", "comte": "region", "county": "region",
    "district": "district", "arrondissement": "district", "ville": "city", "commune": "city",
    "municipalite": "city", "city": "city", "town": "city", "municipality": "city",
    "prefecture": "province", "gouvernorat": "province", "wilaya": "province", "etat": "province",
    "state": "province", "departement": "region", "canton": "district",
}  # fmt: skip

# The extraction vocabulary of themes and the words that say them.
THEME_WORDS: dict[str, str] = {
    "culture": r"cultur\w*|artist\w*|musique|music|theatre|cinema|festival|interculturel",
    "heritage": r"patrimoine|heritage|monuments?",
    "education": r"educati\w*|ecoles?|scolaires?|schools?|eleves|pupils|lycee\w*|college\w*|classes|enseign\w*"
    r"|formation|training|apprentissage|alphabetisation|literacy",
    "research_higher_education": r"universit\w*|recherche|research|enseignement superieur|higher education"
    r"|etudiants?|students?|scientifi\w*",
    "youth": r"jeune\w*|youth|jeunesse|young people|enfan\w*|children",
    "sport": r"\bsports?\b|sporti\w*|basket\w*|football|athlet\w*",
    "economy": r"econom(?!ies? d.energie)\w*|entrepr\w*|entreprises?|business|commerce|trade|emploi|jobs?|artisan\w*"
    r"|innovation|insertion",
    "tourism": r"touris\w*",
    "agriculture_food": r"agricul\w*|agro\w*|alimenta\w*|food|farming|maraich\w*|elevage",
    "environment": r"environnement\w*|environment\w*|ecologi\w*|climat\w*|climate|biodiversit\w*"
    r"|dechets|waste|nature en ville|economie circulaire|circular economy|durable\b",
    "energy": r"energ\w*|solaire|solar|electrifi\w*|electricit\w*",
    "water_sanitation": r"\beau\b|\bwater\b|assainissement|sanitation|potable",
    "health": r"sante|health|hopit\w*|hospital\w*|medic\w*|sanitaire|epilep\w*",
    "social": r"social\w*|solidarit\w*|cohesion|inclusi\w*|handicap\w*|pauvret\w*|poverty",
    "gender": r"genre|gender|femmes?|women|egalite femmes|jeunes filles|girls",
    "governance": r"gouvernance|governance|institutionnel\w*|administration|fonds europeens|services municipaux"
    r"|democra\w*|decentralisation|finances locales",
    "urban_development": r"urbani\w*|urbain\w*|urban\w*|amenagement|regeneration|renovation urbaine|logement"
    r"|housing|quartiers?|parc urbain",
    "mobility": r"mobilite|mobility|transports?\b|transit\b",
    "digital": r"numerique|digital|informati\w*|technolog\w*|3d\b",
    "humanitarian": r"humanitaire|humanitarian|reconstruction|urgence|emergency|refugi\w*|refugee\w*|guerre|war\b",
}
THEME_PATTERNS = {tag: re.compile(rf"\b(?:{words})") for tag, words in THEME_WORDS.items()}

# Words that sound like places but are headings or common words.
# fmt: off
NOT_NAMES = {
    "jumelles", "jumelees", "jumeaux", "partenaires", "twins", "twin towns", "sister cities",
    "contact", "contacts", "accueil", "home", "menu", "actualites", "news", "europe", "afrique",
    "asie", "amerique", "oceanie", "africa", "asia", "america", "monde", "world", "union",
    "union europeenne", "european union", "nord", "sud", "est", "ouest", "north", "south",
    "east", "west", "ville", "villes", "city", "cities", "region", "maire", "mayor",
    "depuis", "since", "en", "le", "la", "les", "des", "de", "du", "the", "and", "et",
    "publie", "cooperation", "partenariat", "jumelage", "culture", "education", "sport",
    "federation", "institut", "institute", "conseil", "council", "comite", "committee",
    "association", "agence", "agency", "commission", "assemblee", "assembly", "accord",
    "convention", "visite", "visit", "twin", "mairie", "rathaus", "stadtrat", "gemeinderat",
}
# People's titles and offices written before a town's name ("Bürgermeister von Montbéliard").
TITLES = {
    "burgermeister", "oberburgermeister", "buergermeister", "landrat", "stadt", "gemeinde",
    "landkreis", "partnerschaftskomitee", "partnerschaftsverein", "freundeskreis", "president",
    "presidente", "prefet", "depute", "senateur", "adjoint", "lord", "councillor", "sindaco",
    "alcalde", "comune", "ayuntamiento", "municipio", "office", "maison", "amicale", "cercle",
}
# Months, days and feasts in French, English and German: capitalised, never partners.
CALENDAR_WORDS = {
    "janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
    "novembre", "decembre", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "januar", "februar", "marz", "juni",
    "juli", "oktober", "dezember", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "noel",
    "christmas", "easter", "paques", "pentecote", "toussaint", "weihnachten", "ostern",
}
# fmt: on
NOT_NAMES |= CALENDAR_WORDS

# "la ville allemande de Viersen", "the German city of Viersen": adjectives of nationality (the
# masculine French form and the English one) → country. Feminine and plural forms are derived.
DEMONYMS: dict[str, str] = {
    "allemand": "DE", "german": "DE", "bavarois": "DE", "italien": "IT", "italian": "IT",
    "espagnol": "ES", "spanish": "ES", "catalan": "ES", "basque": "ES", "portugais": "PT",
    "portuguese": "PT", "britannique": "GB", "british": "GB", "anglais": "GB", "english": "GB",
    "ecossais": "GB", "scottish": "GB", "gallois": "GB", "welsh": "GB", "irlandais": "IE",
    "irish": "IE", "belge": "BE", "belgian": "BE", "neerlandais": "NL", "hollandais": "NL",
    "dutch": "NL", "luxembourgeois": "LU", "suisse": "CH", "swiss": "CH", "autrichien": "AT",
    "austrian": "AT", "polonais": "PL", "polish": "PL", "tcheque": "CZ", "czech": "CZ",
    "slovaque": "SK", "slovak": "SK", "hongrois": "HU", "hungarian": "HU", "roumain": "RO",
    "romanian": "RO", "bulgare": "BG", "bulgarian": "BG", "grec": "GR", "grecque": "GR",
    "greek": "GR", "croate": "HR", "croatian": "HR", "serbe": "RS", "serbian": "RS",
    "slovene": "SI", "slovenian": "SI", "bosnien": "BA", "albanais": "AL", "macedonien": "MK",
    "moldave": "MD", "ukrainien": "UA", "ukrainian": "UA", "russe": "RU", "russian": "RU",
    "bielorusse": "BY", "lituanien": "LT", "lithuanian": "LT", "letton": "LV", "latvian": "LV",
    "estonien": "EE", "estonian": "EE", "finlandais": "FI", "finnish": "FI", "suedois": "SE",
    "swedish": "SE", "norvegien": "NO", "norwegian": "NO", "danois": "DK", "danish": "DK",
    "islandais": "IS", "icelandic": "IS", "turc": "TR", "turque": "TR", "turkish": "TR",
    "armenien": "AM", "armenian": "AM", "georgien": "GE", "georgian": "GE", "israelien": "IL",
    "israeli": "IL", "palestinien": "PS", "palestinian": "PS", "libanais": "LB",
    "lebanese": "LB", "jordanien": "JO", "marocain": "MA", "moroccan": "MA", "algerien": "DZ",
    "algerian": "DZ", "tunisien": "TN", "tunisian": "TN", "egyptien": "EG", "egyptian": "EG",
    "senegalais": "SN", "senegalese": "SN", "malien": "ML", "malian": "ML", "burkinabe": "BF",
    "nigerien": "NE", "beninois": "BJ", "beninese": "BJ", "togolais": "TG", "togolese": "TG",
    "ivoirien": "CI", "ivorian": "CI", "guineen": "GN", "guinean": "GN", "mauritanien": "MR",
    "camerounais": "CM", "cameroonian": "CM", "gabonais": "GA", "congolais": "CG",
    "malgache": "MG", "malagasy": "MG", "comorien": "KM", "haitien": "HT", "haitian": "HT",
    "americain": "US", "american": "US", "canadien": "CA", "canadian": "CA", "quebecois": "CA",
    "mexicain": "MX", "mexican": "MX", "bresilien": "BR", "brazilian": "BR", "argentin": "AR",
    "argentine": "AR", "argentinian": "AR", "chilien": "CL", "chilean": "CL", "colombien": "CO",
    "colombian": "CO", "peruvien": "PE", "peruvian": "PE", "bolivien": "BO", "bolivian": "BO",
    "equatorien": "EC", "ecuadorian": "EC", "cubain": "CU", "cuban": "CU", "nicaraguayen": "NI",
    "japonais": "JP", "japanese": "JP", "chinois": "CN", "chinese": "CN", "coreen": "KR",
    "korean": "KR", "vietnamien": "VN", "vietnamese": "VN", "cambodgien": "KH",
    "cambodian": "KH", "laotien": "LA", "thailandais": "TH", "thai": "TH", "indien": "IN",
    "indian": "IN", "australien": "AU", "australian": "AU",
}  # fmt: skip


def demonym_country(word: str) -> str | None:
    """The country of a nationality adjective in any gender or number ("allemande", "belges")."""
    word = word.lower()
    for form in (word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("e"),
                 word.removesuffix("nes"), word.removesuffix("ne")):  # fmt: skip
        if form in DEMONYMS:
            return DEMONYMS[form]
    return None


# English names of French authorities (the French gazetteer knows only the French ones).
FRENCH_EXONYMS = {
    "brittany": "Bretagne", "normandy": "Normandie", "corsica": "Corse", "occitania": "Occitanie",
    "new aquitaine": "Nouvelle-Aquitaine", "lyons": "Lyon", "marseilles": "Marseille",
    "dunkirk": "Dunkerque", "rheims": "Reims", "french guiana": "Guyane",
}  # fmt: skip


# The régions of metropolitan France before 2016, still named on pages about partnerships signed
# then ("la Région Limousin", "Rhône-Alpes"). "Centre" only after "région": the word is common.
FORMER_REGIONS = {
    "alsace": "Alsace",
    "aquitaine": "Aquitaine",
    "auvergne": "Auvergne",
    "basse normandie": "Basse-Normandie",
    "bourgogne": "Bourgogne",
    "centre": "Centre",
    "champagne ardenne": "Champagne-Ardenne",
    "franche comte": "Franche-Comté",
    "haute normandie": "Haute-Normandie",
    "languedoc roussillon": "Languedoc-Roussillon",
    "limousin": "Limousin",
    "lorraine": "Lorraine",
    "midi pyrenees": "Midi-Pyrénées",
    "nord pas de calais": "Nord-Pas-de-Calais",
    "picardie": "Picardie",
    "poitou charentes": "Poitou-Charentes",
    "rhone alpes": "Rhône-Alpes",
}
_ONLY_PREFIXED = {"centre"}


def former_region(name: str, *, prefixed: bool) -> str | None:
    from coopatlas.core.text import normalise

    key = normalise(re.sub(r"^(?:la |the )?r[ée]gion\s+", "", name.strip(), flags=re.IGNORECASE))
    if key in _ONLY_PREFIXED and not prefixed:
        return None
    return FORMER_REGIONS.get(key)


@functools.cache
def _foreign_areas() -> dict[str, list[tuple[str, str]]]:
    """First-level regions of every country but France (ISO 3166-2, through pycountry), by their
    own name and their French, English and German names: folded name → [(country, name)]."""
    import gettext

    import pycountry

    from coopatlas.core.text import normalise

    translations = []
    for language in ("fr", "en", "de"):
        try:
            translations.append(gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language]))
        except OSError:
            continue
    areas: dict[str, list[tuple[str, str]]] = {}
    for area in pycountry.subdivisions:
        if area.country_code == "FR" or getattr(area, "parent_code", None):
            continue
        names = {area.name, *(t.gettext(area.name) for t in translations)}
        for written in names:
            written = re.sub(r"\s*\[.*?\]\s*", "", written).strip()
            key = normalise(written)
            if len(key) >= 4 and (area.country_code, written) not in areas.get(key, []):
                areas.setdefault(key, []).append((area.country_code, written))
    return areas


def foreign_area(name: str, country: str | None) -> tuple[str, str] | None:
    """(country, name) of the one foreign first-level region named `name` (in `country` when
    given), else None."""
    from coopatlas.core.text import normalise

    found = _foreign_areas().get(normalise(name), [])
    if country:
        found = [f for f in found if f[0] == country]
    if len({code for code, _ in found}) != 1:
        return None
    return found[0][0], name


# How many twinnings of French authorities each foreign country holds, counted on a twin-town list
# (`coopatlas train-extractor --twin-towns CSV`): among foreign homonyms with no country stated, the
# one in a country French towns often twin with is the likelier ("Dundee" in Scotland rather than
# in South Africa).
PARTNER_COUNTRIES_PATH = Path(__file__).with_name("partner_countries.json")
# counts being tried by `train-extractor --dry-run`, in place of the file's
PARTNER_COUNTRIES_TRIED: dict[str, int] | None = None


def _shares(counts: dict[str, int]) -> dict[str, float]:
    """Each country's share of the twinnings; "" holds the floor, one twinning's share."""
    total = sum(counts.values()) or 1
    return {"": 1 / total, **{code: count / total for code, count in counts.items()}}


@functools.cache
def _file_shares() -> dict[str, float]:
    try:
        data = json.loads(PARTNER_COUNTRIES_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"": 1.0}
    return _shares(data["counts"])


def partner_country_weight(iso2: str) -> float:
    """A country's share of French twinnings, floored so that a country never counted weighs a little."""
    shares = _shares(PARTNER_COUNTRIES_TRIED) if PARTNER_COUNTRIES_TRIED is not None else _file_shares()
    return max(shares.get(iso2, 0.0), shares[""])
