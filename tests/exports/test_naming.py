"""Export file names say what they hold: the search's filters, slugified, and the day of export."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from coopatlas.exports.naming import export_file_name
from coopatlas.exports.selection import select
from tests.atlas.factories import commune, foreign_town, twinning

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 2)
EXTENSIONS = {
    "csv": "csv",
    "csv-plain": "csv",
    "xlsx": "xlsx",
    "json": "json",
    "geojson": "geojson",
    "iati": "xml",
}


def _filename(response) -> str:
    """Return the download name of a file response (read and closed)."""
    b"".join(response.streaming_content)
    response.close()
    match = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match.group(1)


def test_export_file_name_names_form_country_and_day():
    """Twinnings with Germany, exported on 2 December 2026, are partenariats-jumelage-DE-2026-12-02."""
    # given
    selection = select("forme=twinning&pays=DE", published_only=True)
    # when
    name = export_file_name(selection, "csv", day=DAY)
    # then
    assert name == "partenariats-jumelage-DE-2026-12-02.csv"


def test_export_file_name_of_the_whole_atlas_is_partnerships_and_day():
    """Without a filter, the file is the atlas's partnerships of that day."""
    assert export_file_name(select(""), "xlsx", day=DAY) == "partenariats-2026-12-02.xlsx"


def test_export_file_name_slugifies_theme_words_region_and_years():
    """Theme, région, words and start years come in the name without accents, spaces or capitals."""
    # given
    query = (
        "q=Échanges scolaires&theme=culture-patrimoine&region=84&debut_min=1990&debut_max=2000"
        "&pays=DE&pays=IT"
    )
    # when
    name = export_file_name(select(query), "json", day=DAY)
    # then
    assert name == (
        "partenariats-DE-IT-auvergne-rhone-alpes-culture-patrimoine-echanges-scolaires-debut-1990-2000-2026-12-02.json"
    )


def test_export_file_name_names_the_territory_and_personal_data():
    """A territory's export is named after it, and one with personal data says so."""
    # given
    lyon = commune("Lyon", "69123")
    twinning(lyon, foreign_town("Turin", "IT"))
    # when
    name = export_file_name(select(f"territoire={lyon.pk}"), "csv", personal_data=True, day=DAY)
    # then
    assert name == "partenariats-lyon-donnees-personnelles-2026-12-02.csv"


def test_export_file_name_of_hostile_words_is_short_and_safe():
    """Words with quotes, slashes and line breaks give a plain name of bounded length."""
    # when
    name = export_file_name(select("q=" + '../"evil"\r\nname;' * 40), "csv", day=DAY)
    # then
    assert re.fullmatch(r"[A-Za-z0-9-]+\.csv", name), name
    assert len(name) <= 120 and name.endswith("-2026-12-02.csv")


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_web_export_download_is_named_after_its_filters(client, fmt):
    """Every format downloaded from /exporter/ is named after the search and today."""
    # given
    twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"))
    # when
    response = client.get("/exporter/", {"format": fmt, "forme": "twinning", "pays": "DE", "debut_min": ""})
    # then
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert _filename(response) == f"partenariats-jumelage-DE-{today}.{EXTENSIONS[fmt]}"


@pytest.mark.parametrize("fmt", list(EXTENSIONS))
def test_api_export_download_is_named_after_its_filters(fmt):
    """Every format of /api/v1/export is named after the search and today."""
    # given
    twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"))
    # when
    response = Client().get("/api/v1/export", {"format": fmt, "forme": "twinning", "pays": "DE"})
    # then
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert _filename(response) == f"partenariats-jumelage-DE-{today}.{EXTENSIONS[fmt]}"


def test_web_export_with_personal_data_says_so_in_its_name(client, django_user_model):
    """A personal-data export downloaded by an entitled user is named as holding personal data."""
    # given
    user = django_user_model.objects.create_user("camille", password="pw-camille-123")
    user.user_permissions.add(Permission.objects.get(codename="view_contact"))
    client.force_login(user)
    twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"))
    # when
    response = client.get("/exporter/", {"format": "xlsx", "pays": "DE", "donnees_personnelles": "1"})
    # then
    today = timezone.localdate().isoformat()
    assert _filename(response) == f"partenariats-DE-donnees-personnelles-{today}.xlsx"
