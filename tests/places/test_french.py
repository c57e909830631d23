"""French geography from the Etalab package, with coordinates from GeoNames or a CSV."""

import json

import pytest

from coopatlas.places.french import PlacesDataError, etalab_data_dir, load_french_geography
from coopatlas.places.models import Commune, Departement, Epci, Region
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db
COMMUNES_CSV = SHARED / "data" / "fr_admin_etalab" / "derived_communes_2026_with_coords.csv"


def test_french_geography_loaded_from_the_etalab_package():
    """Régions, départements, EPCI with their members and communes with INSEE, SIREN, postcodes."""
    assert Region.objects.get(code="32").name == "Hauts-de-France"
    assert Departement.objects.get(code="59").region_id == "32"
    assert Departement.objects.filter(code__in=["2A", "2B", "971", "976"]).count() == 4
    lyon = Commune.objects.get(insee_code="69123", kind="commune-actuelle")
    assert lyon.siren == "216901231" and "69001" in lyon.postal_codes and lyon.population > 400_000
    assert lyon.epci.name == "Métropole de Lyon"
    source = json.loads((etalab_data_dir() / "epci.json").read_text(encoding="utf-8"))
    members = next(len(e["membres"]) for e in source if e["code"] == lyon.epci_id)
    assert Epci.objects.get(siren=lyon.epci_id).members.count() == members > 50
    assert Commune.objects.filter(kind="commune-actuelle").count() > 34_000
    synthe = Commune.objects.get(insee_code="59271", kind="commune-actuelle")
    assert synthe.latitude == pytest.approx(51.01, abs=0.05) and synthe.coord_source == "geonames"


@pytest.mark.skipif(not COMMUNES_CSV.exists(), reason="../shared/data is absent: no communes CSV to read")
def test_communes_csv_gives_every_commune_a_point():
    """With the communes CSV every current commune but the newest has a point."""
    counts = load_french_geography(communes_csv=COMMUNES_CSV)
    assert counts.communes_with_coordinates > 34_000
    assert Commune.objects.get(insee_code="01001", kind="commune-actuelle").coord_source == "csv"
    load_french_geography()  # leave the shared test database as the other tests expect


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("insee;x;y\n59271;1;2\n", "colonnes attendues"),
        ("code_insee,lat,lng\n59271,abc,2.3\n", "ligne 2"),
        ("code_insee,lat,lng\n59271,95,2.3\n", "hors limites"),
    ],
)
def test_bad_communes_csv_is_refused_and_changes_nothing(tmp_path, content, message):
    """A malformed CSV gets a clear error naming the problem, and the data stay as they were."""
    path = tmp_path / "communes.csv"
    path.write_text(content, encoding="utf-8")
    before = Commune.objects.count()
    with pytest.raises(PlacesDataError, match=message):
        load_french_geography(communes_csv=path)
    assert Commune.objects.count() == before


def test_missing_etalab_folder_is_a_clear_error(tmp_path):
    """Without the npm package the error says how to install it."""
    with pytest.raises(PlacesDataError, match="make install"):
        load_french_geography(folder=tmp_path)
