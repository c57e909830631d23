"""A hand-made atlas over real places for the insights tests, and an oracle computed in Python.

The atlas mixes a fixed core (the Métropole européenne de Lille and two of its communes, Lyon,
Dunkerque, real foreign towns) with partnerships drawn by a seeded random generator, so that
every figure is compared against a plain-Python count, never against the code under test.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopatlas.atlas.choices import (
    OrganisationKind,
    ParticipationRole,
    PartnershipForm,
    PartnershipStatus,
)
from coopatlas.atlas.models import (
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
    Theme,
)
from coopatlas.places.models import Commune

FRENCH = [
    # (name, kind, insee, siren, departement, region)
    ("Métropole européenne de Lille", OrganisationKind.METROPOLE, "", "200093201", "59", "32"),
    ("Villeneuve-d'Ascq", OrganisationKind.COMMUNE, "59009", "", "59", "32"),
    ("Roubaix", OrganisationKind.COMMUNE, "59512", "", "59", "32"),
    ("Dunkerque", OrganisationKind.COMMUNE, "59183", "", "59", "32"),
    ("Lyon", OrganisationKind.COMMUNE, "69123", "", "69", "84"),
    ("Nantes", OrganisationKind.COMMUNE, "44109", "", "44", "52"),
]
FOREIGN = [
    ("Tanguiéta", "BJ"),
    ("Natitingou", "BJ"),
    ("Saint-Louis", "SN"),
    ("Krefeld", "DE"),
    ("Birmingham", "GB"),
    ("Puebla", "MX"),
    ("Recife", "BR"),
    ("Skopje", "MK"),
    ("Sousse", "TN"),
]
OTHERS = [
    ("Université de Lille", OrganisationKind.UNIVERSITY),
    ("Cités Unies France", OrganisationKind.NETWORK),
]
FUNDERS = ["Agence de l'eau Artois-Picardie", "Ministère de l'Europe et des Affaires étrangères"]


@dataclass
class TestAtlas:
    french: dict[str, Organisation]
    foreign: dict[str, Organisation]
    others: dict[str, Organisation]
    partnerships: list[Partnership]


def build_atlas(seed: int = 7, count: int = 60) -> TestAtlas:
    """Create the atlas: `count` random partnerships, each with a French side and partners."""
    rng = random.Random(seed)
    french = {
        name: Organisation.objects.create(
            name=name,
            kind=kind,
            country_id="FR",
            insee_code=insee,
            siren=siren,
            departement_code=dep,
            region_code=reg,
        )
        for name, kind, insee, siren, dep, reg in FRENCH
    }
    foreign = {
        name: Organisation.objects.create(
            name=name, kind=OrganisationKind.FOREIGN_AUTHORITY, foreign_level="municipality", country_id=iso2
        )
        for name, iso2 in FOREIGN
    }
    others = {
        name: Organisation.objects.create(
            name=name,
            kind=kind,
            country_id="FR",
            parent=french["Villeneuve-d'Ascq"] if kind == OrganisationKind.UNIVERSITY else None,
        )
        for name, kind in OTHERS
    }
    funders = [
        Organisation.objects.create(name=n, kind=OrganisationKind.FUNDER, country_id="FR") for n in FUNDERS
    ]
    themes = list(Theme.objects.all())
    forms = list(PartnershipForm)
    statuses = list(PartnershipStatus)
    partnerships = []
    for n in range(count):
        start = rng.choice([None, *range(1955, 2025)])
        signature = rng.choice([None, start]) if start else rng.choice([None, 1999, 2012])
        status = rng.choice(statuses)
        end = None
        first = start or signature
        if first and rng.random() < 0.35:
            end = date(rng.randint(first, 2030), rng.randint(1, 12), 1)
        p = Partnership.objects.create(
            title=f"Coopération de test {n}",
            form=rng.choice(forms),
            status=status,
            start_year=start,
            signature_year=signature,
            end_date=end,
            publication_state="published" if rng.random() < 0.9 else "draft",
        )
        sides = rng.sample(list(french.values()), rng.choice([1, 1, 2]))
        for position, org in enumerate(sides):
            Participation.objects.create(
                partnership=p, organisation=org, role=ParticipationRole.FRENCH_AUTHORITY, position=position
            )
        for position, org in enumerate(rng.sample(list(foreign.values()), rng.choice([1, 1, 2, 3]))):
            Participation.objects.create(
                partnership=p, organisation=org, role=ParticipationRole.FOREIGN_AUTHORITY, position=position
            )
        if rng.random() < 0.3:
            Participation.objects.create(
                partnership=p,
                organisation=rng.choice(list(others.values())),
                role=ParticipationRole.ASSOCIATED,
            )
        for priority, theme in enumerate(rng.sample(themes, rng.choice([0, 1, 2, 3]))):
            PartnershipTheme.objects.create(partnership=p, theme=theme, priority=priority)
        if rng.random() < 0.2:
            p.extra_countries.add(rng.choice(["CM", "ML", "MX"]))
        if rng.random() < 0.4:
            for position in range(rng.randint(1, 3)):
                amount = Decimal(rng.randint(100, 90000))
                water = Decimal(rng.randint(0, int(amount))) if rng.random() < 0.5 else None
                funder = rng.choice(funders) if rng.random() < 0.7 else None
                FundingLine.objects.create(
                    partnership=p,
                    funder=funder,
                    funder_label="" if funder else "Usagers du service de l'eau",
                    amount=amount,
                    water_one_percent_amount=water,
                    year=rng.randint(2015, 2024),
                    position=position,
                )
        partnerships.append(p)
    return TestAtlas(french, foreign, others, partnerships)


# -- the oracle: plain Python over the objects ------------------------------------------------------
def first_year(p: Partnership):
    return p.start_year if p.start_year is not None else p.signature_year


def years_active(p: Partnership, this_year: int) -> set[int]:
    """The spec of "active": begun, not planned, until its end year (ended, undated: first year)."""
    first = first_year(p)
    if first is None or p.status == PartnershipStatus.PLANNED:
        return set()
    if p.end_date:
        last = p.end_date.year
    elif p.status == PartnershipStatus.ENDED:
        last = first
    else:
        last = max(this_year, first)
    return set(range(first, last + 1))


def territory_ids(authority: Organisation) -> set[int]:
    ids = {authority.pk}
    if authority.kind in (OrganisationKind.EPCI, OrganisationKind.METROPOLE):
        codes = {c.insee_code for c in Commune.objects.filter(epci_id=authority.siren)}
        ids |= {o.pk for o in Organisation.objects.filter(kind="commune") if o.insee_code in codes}
    ids |= {o.pk for o in Organisation.objects.all() if o.parent_id in ids}
    return ids


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def inside(country, scope: dict) -> bool:
    """Whether a foreign country lies in the scope's zone and country (any, when it names none)."""
    if country.iso2 == "FR":
        return False
    if "zone" in scope and country.world_region not in as_list(scope["zone"]):
        return False
    return not ("pays" in scope and country.iso2 not in as_list(scope["pays"]))


def in_scope(p: Partnership, scope: dict, this_year: int) -> bool:
    parts = list(p.participations.select_related("organisation__country"))
    orgs = [x.organisation for x in parts]
    if p.publication_state != "published":
        return False
    if "territoire" in scope and not {o.pk for o in orgs} & territory_ids(scope["territoire"]):
        return False
    if "region" in scope and not any(o.region_code == scope["region"] for o in orgs):
        return False
    if "departement" in scope and not any(o.departement_code == scope["departement"] for o in orgs):
        return False
    foreign_countries = {o.country for o in orgs if o.country_id != "FR"} | set(p.extra_countries.all())
    if "zone" in scope and not any(c.world_region in as_list(scope["zone"]) for c in foreign_countries):
        return False
    if "pays" in scope and not {c.iso2 for c in foreign_countries} & set(as_list(scope["pays"])):
        return False
    if "du" in scope:
        if not years_active(p, this_year) & set(range(scope["du"], scope["au"] + 1)):
            return False
    if "theme" in scope:
        codes = {t.code for theme in p.themes.all() for t in theme.path}
        if scope["theme"] not in codes:
            return False
    if "forme" in scope and p.form != scope["forme"]:
        return False
    return True


def oracle(atlas: TestAtlas, scope: dict) -> dict:
    """Every dashboard figure of `scope`, counted in plain Python.

    When the scope names a zone or a country, the organisation figures count the French side
    and the partners there only, the country figures the countries there only; funding counts
    whole partnerships, with the part of those that also reach other countries set apart.
    """
    this_year = date.today().year
    chosen = [p for p in Partnership.objects.all() if in_scope(p, scope, this_year)]
    per_country: dict[str, set[int]] = defaultdict(set)
    partners_in: dict[str, set[int]] = defaultdict(set)
    engaged: dict[int, set[int]] = defaultdict(set)
    kinds: dict[str, set[int]] = defaultdict(set)
    kind_orgs: dict[str, set[int]] = defaultdict(set)
    themes: Counter = Counter()
    statuses: Counter = Counter()
    unthemed = undated = 0
    new, active, ended = Counter(), Counter(), Counter()
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    water_by_year: dict[int, Decimal] = defaultdict(Decimal)
    shared_by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_funder: dict[str, Decimal] = defaultdict(Decimal)
    shared_by_funder: dict[str, Decimal] = defaultdict(Decimal)
    for p in chosen:
        organisations = [x.organisation for x in p.participations.select_related("organisation__country")]
        countries = {o.country for o in organisations if o.country_id != "FR"} | set(p.extra_countries.all())
        for o in organisations:
            if o.country_id != "FR" and not inside(o.country, scope):
                continue
            engaged[o.pk].add(p.pk)
            kinds[o.kind].add(p.pk)
            kind_orgs[o.kind].add(o.pk)
            if o.country_id != "FR":
                partners_in[o.country_id].add(o.pk)
        for c in countries:
            if inside(c, scope):
                per_country[c.iso2].add(p.pk)
        shared = any(not inside(c, scope) for c in countries)
        for code in {t.path[0].code for t in p.themes.all()}:
            themes[code] += 1
        unthemed += not p.themes.exists()
        statuses[p.status] += 1
        if first_year(p) is not None:
            new[first_year(p)] += 1
        else:
            undated += 1
        if p.end_date:
            ended[p.end_date.year] += 1
        for y in years_active(p, this_year):
            active[y] += 1
        for line in p.funding_lines.all():
            funder = line.funder.name if line.funder else (line.funder_label or "Financeur non précisé")
            by_year[line.year] += line.amount
            water_by_year[line.year] += line.water_one_percent_amount or 0
            by_funder[funder] += line.amount
            if shared:
                shared_by_year[line.year] += line.amount
                shared_by_funder[funder] += line.amount
    french = {pk for pk in engaged if Organisation.objects.get(pk=pk).country_id == "FR"}
    return {
        "ids": {p.pk for p in chosen},
        "partnerships": len(chosen),
        "agreements": sum(
            1
            for p in chosen
            if p.form in ("twinning", "friendship_pact", "cooperation_agreement", "protocol")
        ),
        "actors": len(french),
        "partners": len(engaged) - len(french),
        "partner_ids": set(engaged) - french,
        "countries": {k: len(v) for k, v in per_country.items()},
        "partners_in": {k: len(v) for k, v in partners_in.items()},
        "engaged": {k: len(v) for k, v in engaged.items()},
        "kinds": {k: len(v) for k, v in kinds.items()},
        "kind_organisations": {k: len(v) for k, v in kind_orgs.items()},
        "themes": dict(themes),
        "unthemed": unthemed,
        "undated": undated,
        "statuses": dict(statuses),
        "new": dict(new),
        "active": dict(active),
        "ended": dict(ended),
        "funding_by_year": {y: float(v) for y, v in by_year.items()},
        "water_by_year": {y: float(v) for y, v in water_by_year.items()},
        "shared_by_year": {y: float(v) for y, v in shared_by_year.items()},
        "funding_by_funder": {k: float(v) for k, v in by_funder.items()},
        "shared_by_funder": {k: float(v) for k, v in shared_by_funder.items()},
        "funding": float(sum(by_year.values(), Decimal(0))),
        "shared": float(sum(shared_by_year.values(), Decimal(0))),
    }
