"""French pages read as French: dictionary order, non-breaking spaces, accented theme names."""

import importlib
import re

import pytest
from django.apps import apps as global_apps
from django.http import QueryDict

from coopatlas.atlas.models import Partnership, Theme
from coopatlas.search.query import SearchQuery
from coopatlas.web.typography import french_typography
from tests.atlas.factories import commune, foreign_town, twinning
from tests.web.test_english_pages import data_strings, visible_text

pytestmark = pytest.mark.django_db


def _option_labels(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


def test_dashboard_menus_sort_countries_and_regions_in_french_order(client, demo_atlas):
    """The dashboard's country and région menus follow French dictionary order: États-Unis among
    the E's, Île-de-France among the I's."""
    # when
    html = client.get("/tableau-de-bord/").content.decode()
    countries = _option_labels(html, "pays")
    regions = _option_labels(html, "region")
    # then
    assert countries.index("Espagne") < countries.index("États-Unis") < countries.index("Hongrie")
    assert regions.index("Hauts-de-France") < regions.index("Île-de-France") < regions.index("La Réunion")


def test_search_facet_sorts_countries_of_equal_count_in_french_order():
    """Countries with as many partnerships each are listed in French order in the facet."""
    # given
    lyon = commune("Lyon", "69123")
    for town, iso2 in [("Addis-Abeba", "ET"), ("Barcelone", "ES"), ("Beira", "MZ"), ("Boston", "US")]:
        twinning(lyon, foreign_town(town, iso2))
    # when
    result = SearchQuery(QueryDict("")).run(Partnership.objects.published())
    countries = next(f for f in result.facets if f.name == "pays")
    # then
    assert [v.label for v in countries.values] == ["Espagne", "États-Unis", "Éthiopie", "Mozambique"]


def test_unknown_value_messages_name_the_field_without_inclusive_endings(client, demo_atlas):
    """A wrong filter value is named in a sentence that agrees in French ("Pays : valeur
    inconnue") and reads as English in English, never "inconnu(e)"."""
    # when
    french = client.get("/recherche/", {"pays": "ZZ", "organisation": "999999"}).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/recherche/", {"pays": "ZZ", "organisation": "999999"}).content.decode()
    # then
    errors = re.findall(r'<p class="error"[^>]*>(.*?)</p>', french)
    assert len(errors) == 2 and not any("(e)" in error for error in errors)
    assert "Pays\u00a0: valeur inconnue «\u00a0ZZ\u00a0» (ignorée)." in errors
    assert "Country: unknown value “ZZ” (ignored)." in english


FRENCH_PAGES = [
    "/",
    "/recherche/?pays=ZZ&tri=hasard&q=eau",
    "/sources/",
    "/carte/",
    "/tableau-de-bord/",
    "/tableau-de-bord/reseau/",
    "/tableau-de-bord/veille/",
    "/calendrier/?depuis=2022-01-01",
    "/tableau-de-bord/declaration-apd/",
    "/connexion/",
]


def test_french_pages_put_no_ordinary_space_before_high_punctuation(client, demo_atlas):
    """French text has a non-breaking space before ":", ";", "?", "!" and "»" and after "«", so
    that a line never starts with a colon (records' pages included)."""
    # given
    urls = FRENCH_PAGES + [p.get_absolute_url() for p in Partnership.objects.published()[:4]]
    # when
    found = {}
    for url in urls:
        text = visible_text(client.get(url))
        spaced = re.findall(r"\S* [:;?!»]|« \S*", text)
        if spaced:
            found[url] = spaced
    # then
    assert not found, found
    assert data_strings()  # the pages above showed the demo atlas


def test_french_typography_leaves_code_forms_and_attributes_alone():
    """Only text is retouched: scripts, styles, text areas, addresses and attributes other than
    shown ones keep their spaces."""
    # given
    html = (
        '<p title="Pays : DE">Pays : Allemagne ; « Jumelage » ?</p>'
        '<script type="application/json">{"a": "b : c"}</script><style>a { color : red }</style>'
        '<textarea name="t">x : y</textarea><a href="/recherche/?q=a :b">lien</a>'
    )
    # when
    result = french_typography(html)
    # then
    assert result == (
        '<p title="Pays\u00a0: DE">Pays\u00a0: Allemagne\u202f; «\u00a0Jumelage\u00a0»\u202f?</p>'
        '<script type="application/json">{"a": "b : c"}</script><style>a { color : red }</style>'
        '<textarea name="t">x : y</textarea><a href="/recherche/?q=a :b">lien</a>'
    )


def test_theme_names_carry_their_accents():
    """Level-1 themes are written with their accents and French capitals."""
    names = set(Theme.objects.filter(level=1).values_list("name_fr", flat=True))
    assert {"Économie durable", "Éducation, social et recherche", "Environnement, climat et énergie"} <= names
    assert not {"Economie durable", "Economie circulaire"} & set(
        Theme.objects.values_list("name_fr", flat=True)
    )


def test_theme_accents_migration_corrects_an_existing_database():
    """A database loaded before the fix gets its theme names corrected by the data migration."""
    # given
    Theme.objects.filter(code="economie-durable").update(name_fr="Economie durable")
    Theme.objects.filter(code="economie-circulaire").update(name_fr="Economie circulaire")
    migration = importlib.import_module("coopatlas.atlas.migrations.0007_theme_name_accents")
    # when
    migration.correct_theme_names(global_apps, None)
    # then
    assert Theme.objects.get(code="economie-durable").name_fr == "Économie durable"
    assert Theme.objects.get(code="economie-circulaire").name_fr == "Économie circulaire"
