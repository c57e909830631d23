"""In English every interface string and every reference name is English; data stay as entered."""

import json
import re
from html.parser import HTMLParser
from pprint import pformat

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from coopatlas.atlas import choices
from coopatlas.atlas.models import Partnership, SustainableDevelopmentGoal, Theme
from coopatlas.places.models import Country, Departement, Region, WorldRegion

pytestmark = pytest.mark.django_db

# The labelled vocabularies a page can show.
VOCABULARIES = [
    WorldRegion,
    choices.OrganisationKind,
    choices.ForeignLevel,
    choices.PartnershipForm,
    choices.PartnershipStatus,
    choices.ParticipationRole,
    choices.FundingKind,
    choices.EventKind,
    choices.VolunteerScheme,
]
# Attributes a reader sees (tooltips, screen readers, placeholders).
SHOWN_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}
# Elements that do not break a line of text (a span is a badge or a chip: it does).
INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "strong", "time"}


class _VisibleText(HTMLParser):
    """Collect the text a reader sees or hears: text nodes outside code, shown attributes, and
    the JSON data islands that charts and maps draw their labels from."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._json = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"script", "style"}:
            self._json = attributes.get("type") == "application/json"
            self._skip += not self._json
        if tag not in INLINE:
            self.parts.append("\n")
        self.parts += ["\n" + value + "\n" for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip = max(self._skip - (not self._json), 0)
            self._json = False
        if tag not in INLINE:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._json:
            self.parts += ["\n" + s + "\n" for s in _json_strings(json.loads(data))]
        elif not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    """Return the visible text of an HTML page, or every string of a JSON document."""
    if "json" in response["Content-Type"]:
        return "\n".join(_json_strings(json.loads(response.content)))
    parser = _VisibleText()
    parser.feed(response.content.decode())
    return "".join(parser.parts)


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [] if value.startswith(("/", "http")) else [value]  # addresses are not read
    if isinstance(value, dict):
        return [s for item in value.values() for s in _json_strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    return []


def french_reference_names() -> set[str]:
    """Return the French names of reference data and vocabularies that differ in English."""
    names = {fr for fr, en in Country.objects.values_list("name_fr", "name_en") if fr != en}
    for model in (Theme, SustainableDevelopmentGoal):
        names |= {fr for fr, en in model.objects.values_list("name_fr", "name_en") if fr != en}
    for vocabulary in VOCABULARIES:
        for value in vocabulary.values:
            with translation.override("fr"):
                french = str(vocabulary(value).label)
            with translation.override("en"):
                english = str(vocabulary(value).label)
            if french != english:
                names.add(french)
    return names


def data_strings() -> list[str]:
    """Return every text entered in the atlas (titles, names, notes…), longest first: data stay
    as entered in both languages, so they are taken out before looking for French names."""
    found: set[str] = set()
    for model in apps.get_app_config("atlas").get_models():
        if model in (Theme, SustainableDevelopmentGoal) or model.__name__.startswith("Historical"):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            found |= {value for value in row if value and len(value) > 2}
    # French administrative names are proper names: Nouvelle-Calédonie (988) stays in English.
    found |= set(Region.objects.values_list("name", flat=True))
    found |= set(Departement.objects.values_list("name", flat=True))
    return sorted(found, key=len, reverse=True)


def without_data(text: str, data: list[str]) -> str:
    """Blank out the data in `text`, titles cut short with an ellipsis included."""
    lines = []
    for line in text.split("\n"):
        head, cut, _tail = line.partition("…")
        if cut and len(head.strip()) > 20 and any(v.startswith(head.strip()) for v in data):
            line = line.replace(head, " ", 1)
        lines.append(line)
    text = "\n".join(lines)
    for value in data:
        text = text.replace(value, " ")
    return text


def english_pages(client) -> list[str]:
    """Return the public pages of the demo atlas: every record page and the pages around them."""
    countries = sorted(
        {
            iso2
            for iso2 in Partnership.objects.published().values_list(
                "participations__organisation__country", flat=True
            )
            if iso2
        }
    )
    urls = [
        "/",
        "/recherche/",
        "/recherche/?pays=DE",
        "/recherche/?zone=europe&forme=twinning",
        "/recherche/?theme=culture-patrimoine&tri=titre",
        "/recherche/?q=eau",
        "/recherche/?pays=ZZ&forme=nope",
        "/carte/",
        "/carte/pays.json",
        "/carte/lieux.geojson",
        "/tableau-de-bord/",
        "/tableau-de-bord/?zone=africa",
        "/tableau-de-bord/?pays=DE",
        "/tableau-de-bord/pays.json",
        "/tableau-de-bord/reseau/",
        "/tableau-de-bord/veille/",
        "/calendrier/?depuis=2025-01-01",
        "/tableau-de-bord/declaration-apd/",
        "/sources/",
        "/connexion/",
    ]
    urls += [p.get_absolute_url() for p in Partnership.objects.published()]
    from coopatlas.atlas.models import Organisation

    urls += [o.get_absolute_url() for o in Organisation.objects.public()]
    urls += [f"/pays/{iso2}/" for iso2 in countries]
    return urls


@pytest.fixture
def english_client(client, demo_atlas):
    """A client whose interface is English."""
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _words(name: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")


def test_english_pages_show_no_french_reference_name(english_client):
    """Walked in English, no public page shows a French country, zone, theme, SDG, kind, form,
    status or role name (data such as titles and organisation names stay as entered)."""
    # given
    names = [(name, _words(name)) for name in sorted(french_reference_names())]
    assert {"Allemagne", "Jumelage", "Commune"} <= {n for n, _ in names}
    data = data_strings()
    # when
    found: dict[str, set[str]] = {}
    for url in english_pages(english_client):
        response = english_client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response)
        text = without_data(text, data)
        for name, pattern in names:
            if pattern.search(text):
                found.setdefault(url, set()).add(name)
    # then
    assert not found, pformat(found)


def test_english_pages_put_no_space_before_colon(english_client):
    """English puts no space before a colon (French does): "Sort by: relevance"."""
    data = data_strings()
    found = {}
    for url in english_pages(english_client)[:20]:
        response = english_client.get(url)
        text = visible_text(response)
        text = without_data(text, data)
        spaced = re.findall(r"\S*\w\s+:(?!//)[ \t]*\S*", text)
        if spaced:
            found[url] = spaced
    assert not found, pformat(found)
