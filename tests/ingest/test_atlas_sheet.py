"""A national-atlas record sheet becomes one complete partnership: the same record as the demo
atlas built from that sheet, field by field."""

from decimal import Decimal

import pytest

from coopatlas.atlas.demo.loader import load_demo
from coopatlas.atlas.models import DiplomaticPost, Partnership
from coopatlas.ingest.readers.atlas_sheet import drop_repeats, sheet_lines
from tests.conftest import SHARED

SEED = SHARED / "seeds" / "002_671a6b7235ccf533.txt"
needs_seed = pytest.mark.skipif(
    not SEED.exists(), reason=f"seed sheet absent: {SEED} (../shared not mounted)"
)


def _structure(p: Partnership) -> dict:
    """What the sheet states, in comparable form (texts aside: the demo words them itself)."""
    return {
        "form": p.form,
        "status": p.status,
        "signature_year": p.signature_year,
        "start_year": p.start_year,
        "end_date": p.end_date,
        "is_triennial": p.is_triennial,
        "themes": sorted((link.theme.code, link.priority) for link in p.theme_links.all()),
        "french": sorted(x.organisation.name for x in p.french_participations),
        "foreign": sorted((x.organisation.name, x.organisation.country_id) for x in p.foreign_participations),
        "funding": sorted((line.funder_name, line.amount, line.year) for line in p.funding_lines.all()),
        "funding_total": p.funding_total(),
        # The demo tidied some names (initials, capitals); who and which address must agree.
        "contacts": sorted(
            (c.organisation.name if c.organisation_id else "", c.email.lower()) for c in p.contacts.all()
        ),
        "volunteers": p.volunteers.count(),
    }


def _posts() -> dict:
    return {
        post.country_id: (post.correspondent_status, post.counsellor_status, str(post.correspondent or ""))
        for post in DiplomaticPost.objects.select_related("correspondent")
    }


@needs_seed
def test_seed_002_imports_as_the_demo_record(run_import, django_db_blocker):
    # given: the demo atlas's version of the record, then a clean slate
    load_demo()
    demo = Partnership.objects.get(external_ref="demo:clermont-rivm")
    expected, expected_posts = _structure(demo), _posts()
    funders = {line.funder_name for line in demo.funding_lines.all()}
    Partnership.objects.all().delete()
    for post in DiplomaticPost.objects.all():
        post.delete()
    # when
    report = run_import(SEED, "atlas-sheet", personal_data=True, publication_state="published")
    # then
    assert report.counts["created"] == 1, report.errors
    imported = Partnership.objects.get()
    got = _structure(imported)
    for field, value in expected.items():
        if field == "funding":
            # The demo names some funders by their organisation's full name; amounts and years agree.
            assert sorted((amount, year) for _, amount, year in got[field]) == sorted(
                (amount, year) for _, amount, year in value
            )
            continue
        assert got[field] == value, field
    assert len(got["foreign"]) == 31 and len(got["funding"]) == 29
    assert got["funding_total"] == Decimal("1380394")
    assert len({country for _, country in got["foreign"]}) == 18
    assert len({name for name, _, _ in got["funding"]}) == len(funders) == 15
    assert _posts() == expected_posts
    assert imported.title.startswith("Pérennisation du Réseau International des Villes Michelin")
    assert imported.publication_state == "published"


@needs_seed
def test_repeated_paragraphs_of_the_sheet_are_stored_once(run_import):
    run_import(SEED, "atlas-sheet")
    p = Partnership.objects.get()
    for text in (p.context, p.history_text, p.objectives_local, p.objectives_france):
        paragraphs = [line for line in text.splitlines() if len(line) > 60]
        assert len(paragraphs) == len(set(paragraphs)), text[:200]
    assert p.context.count("L’ODD 17") == 1
    assert p.history_text.count("Movin’on") == 1
    assert p.objectives_local.count("catalyseur") == 1 and p.objectives_france.count("catalyseur") == 1
    assert "Objectifs en France" not in p.objectives_local
    assert p.contacts.count() == 0  # personal data not asked for


def test_tandem_repeats_are_dropped_but_short_bullets_kept():
    lines = ["Intro longue " * 5, "P2 " * 20, "P3 " * 20, "P2 " * 20, "P3 " * 20, "- a", "- a"]
    assert drop_repeats(lines) == lines[:3] + ["- a", "- a"]


def test_an_html_sheet_reads_like_the_text_one():
    html = """<html><head><script>alert('x')</script><style>p{}</style></head><body>
    <h2>Titre</h2><p>Jumelage &amp; coopération</p>
    <h3>Partenaires étrangers du partenariat</h3>
    <table><tr><th>Nom de la collectivité étrangère</th><th>Pays</th></tr>
    <tr><td>Neukölln</td><td>Allemagne</td></tr></table></body></html>"""
    lines = sheet_lines(html)
    assert lines[:2] == ["Titre", "Jumelage & coopération"]
    assert "Neukölln | Allemagne |" in lines and not any("alert" in line for line in lines)
    assert any(set(line) <= {"-", "|"} for line in lines)
