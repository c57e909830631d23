"""Organisations of the demo atlas, keyed by a short reference.

Facts (names, countries, official codes, populations stated by the sources) come from the five
seed pages described in docs/demo-atlas.md; the wording is ours.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Org:
    name: str
    kind: str
    country: str
    insee_code: str = ""
    siren: str = ""
    foreign_level: str = ""
    acronym: str = ""
    population: int | None = None
    alternate_names: list[str] = field(default_factory=list)
    note: str = ""


FR, MUN, DIST, PROV = "FR", "municipality", "district", "province"

ORGANISATIONS: dict[str, Org] = {
    # French local authorities
    "lyon": Org("Lyon", "commune", FR, insee_code="69123"),
    "metropole-lyon": Org(
        "Métropole de Lyon", "metropole", FR, siren="200046977", alternate_names=["Grand Lyon"]
    ),
    "clermont-ferrand": Org("Clermont-Ferrand", "commune", FR, insee_code="63113"),
    "hauts-de-france": Org(
        "Hauts-de-France",
        "region",
        FR,
        insee_code="32",
        siren="200053742",
        alternate_names=["Région Hauts-de-France"],
    ),
    "grande-synthe": Org("Grande-Synthe", "commune", FR, insee_code="59271"),
    "villeneuve-d-ascq": Org(
        "Villeneuve-d'Ascq", "commune", FR, insee_code="59009", alternate_names=["Villeneuve d'Ascq"]
    ),
    "boulogne-billancourt": Org("Boulogne-Billancourt", "commune", FR, insee_code="92012"),
    # Foreign authorities: Lyon, Hauts-de-France, Boulogne-Billancourt
    "birmingham": Org("Birmingham", "foreign_authority", "GB", foreign_level=MUN),
    "dnipropetrovsk": Org(
        "Oblast de Dnipropetrovsk",
        "foreign_authority",
        "UA",
        foreign_level=PROV,
        alternate_names=["Région de Dnipropetrovsk", "Dnipropetrovsk Oblast", "Oblast de Dnipro"],
    ),
    "sidi-ifni": Org("Sidi Ifni", "foreign_authority", "MA", foreign_level=MUN),
    "tanguieta": Org(
        "Tanguiéta", "foreign_authority", "BJ", foreign_level=MUN, alternate_names=["Tanguieta"]
    ),
    "neukolln": Org(
        "Neukölln",
        "foreign_authority",
        "DE",
        foreign_level=DIST,
        population=330_000,
        alternate_names=["Berlin-Neukölln", "Neukoelln"],
    ),
    "anderlecht": Org("Anderlecht", "foreign_authority", "BE", foreign_level=MUN, population=118_000),
    "hammersmith-fulham": Org(
        "Hammersmith & Fulham",
        "foreign_authority",
        "GB",
        foreign_level=DIST,
        population=170_000,
        alternate_names=["Hammersmith and Fulham", "London Borough of Hammersmith and Fulham"],
    ),
    "zaanstad": Org("Zaanstad", "foreign_authority", "NL", foreign_level=MUN, population=153_000),
    "marino": Org("Marino", "foreign_authority", "IT", foreign_level=MUN, population=40_000),
    "pancevo": Org(
        "Pančevo",
        "foreign_authority",
        "RS",
        foreign_level=MUN,
        population=120_000,
        alternate_names=["Pancevo", "Pantchevo"],
    ),
    "sousse": Org("Sousse", "foreign_authority", "TN", foreign_level=MUN, population=220_000),
    "irving": Org("Irving", "foreign_authority", "US", foreign_level=MUN, population=240_000),
    "raanana": Org(
        "Ra'anana",
        "foreign_authority",
        "IL",
        foreign_level=MUN,
        population=75_000,
        alternate_names=["Raanana"],
    ),
    "guang-an": Org(
        "Guang'an",
        "foreign_authority",
        "CN",
        foreign_level=MUN,
        population=3_200_000,
        alternate_names=["Guangan"],
    ),
    # Networks, associations and other actors
    "eurocities": Org("Eurocities", "network", "BE"),
    "cglu": Org(
        "Cités et gouvernements locaux unis",
        "network",
        "ES",
        acronym="CGLU",
        alternate_names=["United Cities and Local Governments", "UCLG"],
    ),
    "luci": Org("LUCI (Lighting Urban Community International)", "network", FR, acronym="LUCI"),
    "delice": Org(
        "Délice, réseau des villes gourmandes",
        "network",
        FR,
        acronym="Délice",
        alternate_names=["Délice Network", "Delice"],
    ),
    "rivm": Org("Réseau international des villes Michelin", "network", FR, acronym="RIVM"),
    "lianes": Org(
        "Lianes coopération",
        "network",
        FR,
        note="Réseau régional multi-acteurs de la coopération internationale des Hauts-de-France.",
    ),
    "ciedel": Org(
        "CIEDEL",
        "association",
        FR,
        alternate_names=["Centre international d'études pour le développement local"],
    ),
    "asnbnf": Org("Artisanat Solidarité Nord Bénin Nord de France", "association", FR, acronym="ASNBNF"),
    "aadact": Org(
        "Association d'appui à l'apprentissage et au développement de l'artisanat à Tanguiéta",
        "association",
        "BJ",
        acronym="AADACT",
    ),
    "esbva-lm": Org("ESBVA-LM", "association", FR, note="Club de basket-ball de Villeneuve-d'Ascq."),
    # Funders of the Clermont-Ferrand network record
    "smtc-clermont": Org(
        "Syndicat mixte des transports en commun de l'agglomération clermontoise",
        "french_public_body",
        FR,
        acronym="SMTC",
    ),
    "agence-urbanisme-clermont": Org(
        "Agence d'urbanisme et de développement de Clermont-Ferrand", "french_public_body", FR
    ),
    "artistes-en-residence": Org("Artistes en Résidence", "association", FR),
    "uca": Org("Université Clermont-Auvergne", "university", FR),
    "bivouac": Org("Le Bivouac", "company", FR),
    "cara": Org("CARA, cluster européen pour les solutions de mobilité", "association", FR, acronym="CARA"),
    "ensaclermont": Org(
        "École nationale supérieure d'architecture de Clermont-Ferrand", "university", FR, acronym="ENSACF"
    ),
    "meae": Org("Ministère de l'Europe et des Affaires étrangères", "national_body", FR, acronym="MEAE"),
    "michelin": Org("Michelin", "company", FR),
    "atmo-aura": Org("ATMO Auvergne-Rhône-Alpes", "association", FR),
    "sauve-qui-peut": Org("Sauve qui peut le court métrage", "association", FR),
    # Embassies
    "embassy-rome": Org("Ambassade de France à Rome", "embassy", "IT"),
    "embassy-tokyo": Org("Ambassade de France à Tokyo", "embassy", "JP"),
    "embassy-madrid": Org("Ambassade de France à Madrid", "embassy", "ES"),
    "embassy-new-delhi": Org("Ambassade de France à New Delhi", "embassy", "IN"),
}

# The 31 foreign authorities of the Clermont-Ferrand network record, in the record's order.
RIVM_PARTNERS: list[tuple[str, str]] = [
    ("Cuneo", "IT"),
    ("Pirot", "RS"),
    ("Oyem", "GA"),
    ("Aranda de Duero", "ES"),
    ("Braga", "PT"),
    ("Oviedo", "ES"),
    ("Karlsruhe", "DE"),
    ("Norman", "US"),
    ("Montréal", "CA"),
    ("Gomel", "BY"),
    ("Shanghai", "CN"),
    ("Nyiregyhaza", "HU"),
    ("Olsztyn", "PL"),
    ("Lexington", "US"),
    ("Valladolid", "ES"),
    ("Regensburg", "DE"),
    ("Salford", "GB"),
    ("Bangkok", "TH"),
    ("Bridgewater", "CA"),
    ("Guarulhos", "BR"),
    ("Lasarte-Oria", "ES"),
    ("Santiago de Querétaro", "MX"),
    ("Vitoria-Gasteiz", "ES"),
    ("Bad-Kreuznach", "DE"),
    ("Phrapradaeng", "TH"),
    ("Greenville", "US"),
    ("Homburg", "DE"),
    ("Rayong", "TH"),
    ("Anderson", "US"),
    ("Chennai", "IN"),
    ("Maebashi", "JP"),
]
RIVM_ALTERNATE_NAMES: dict[str, list[str]] = {
    "Gomel": ["Homiel", "Homel", "Golem"],
    "Nyiregyhaza": ["Nyíregyháza"],
    "Bad-Kreuznach": ["Bad Kreuznach"],
    "Santiago de Querétaro": ["Querétaro", "Queretaro"],
    "Montréal": ["Montreal"],
    "Phrapradaeng": ["Phra Pradaeng"],
    "Chennai": ["Madras"],
    "Regensburg": ["Ratisbonne"],
}
# The US partners are the South Carolina and Oklahoma towns (the record's contacts say so).
RIVM_ADMIN_AREAS: dict[str, str] = {
    "Lexington": "South Carolina",
    "Greenville": "South Carolina",
    "Anderson": "South Carolina",
    "Norman": "Oklahoma",
}
GOMEL_NOTE = (
    "La fiche de l'atlas national écrit « Golem » dans le tableau des contacts et « Gomel » dans "
    "celui des partenaires : il s'agit d'une seule collectivité, Gomel (Bélarus)."
)


def rivm_ref(name: str) -> str:
    """Return the demo reference of a network partner town."""
    return "rivm-" + name.lower().replace(" ", "-").replace("'", "")
