"""`coopatlas generate`: a synthetic atlas on real places, written through the import pipeline."""

import pytest
from django.db import transaction

from coopatlas.atlas.models import ImportBatch, Organisation, Partnership, Source
from coopatlas.cli import main
from coopatlas.ingest.synthetic import (
    SOURCE_KIND,
    SUMMARY_MARK,
    TITLE_MARK,
    GenerateError,
    generate,
    load_places,
    synthetic_records,
)
from coopatlas.places.models import Commune
from coopatlas.search.index import Reader, document_text
from coopatlas.search.models import SearchDocument
from coopatlas.search.query import SearchQuery

N = 200


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    """The real places and reference data, read once for the module's atlases."""
    with django_db_blocker.unblock():
        return load_places()


def _snapshot() -> list[tuple]:
    """What the atlas holds, without database ids: each partnership by its reference."""
    rows = []
    for p in Partnership.objects.prefetch_related(
        "participations__organisation", "theme_links__theme", "sdgs", "funding_lines", "events"
    ).order_by("external_ref"):
        rows.append(
            (
                p.external_ref,
                p.title,
                p.form,
                p.status,
                p.publication_state,
                p.start_year,
                p.signature_year,
                p.end_date,
                sorted(
                    (x.organisation.name, x.organisation.insee_code, x.role) for x in p.participations.all()
                ),
                sorted(link.theme.code for link in p.theme_links.all()),
                sorted(s.number for s in p.sdgs.all()),
                sorted((f.year, f.amount, f.kind) for f in p.funding_lines.all()),
                sorted((e.year, e.title) for e in p.events.all()),
            )
        )
    return rows


@pytest.mark.django_db
def test_generate_writes_n_partnerships_on_real_places_marked_synthetic(places):
    """N partnerships in one batch « données synthétiques », each with real places, 1 to 3
    themes, a French authority and a foreign partner, a title and summary saying synthetic."""
    # when
    report = generate(partnerships=N, seed=7, places=places)
    # then
    assert report.counts["created"] == N and not report.errors
    batch = ImportBatch.objects.get()
    assert batch.source_kind == SOURCE_KIND and "données synthétiques" in batch.file_name
    assert Source.objects.filter(batch=batch).count() == N
    partnerships = Partnership.objects.prefetch_related("participations__organisation", "theme_links")
    assert partnerships.count() == N
    for p in partnerships:
        assert p.title.endswith(TITLE_MARK) and p.summary.startswith(SUMMARY_MARK)
        assert 1 <= len(p.theme_links.all()) <= 3
        assert p.french_participations and p.countries()
        assert p.start_year is None or 1950 <= p.start_year <= 2025
    communes = Organisation.objects.filter(kind="commune")
    insee = set(communes.values_list("insee_code", flat=True))
    assert insee and insee <= set(Commune.objects.values_list("insee_code", flat=True))
    assert not communes.filter(latitude=None).exists()
    assert Organisation.objects.filter(kind="foreign_authority", geonames_id__isnull=False).exists()
    # Proportions of the real data: mostly published twinnings, some funding, drafts and events.
    assert Partnership.objects.filter(form="twinning").count() > N / 3
    assert N * 0.8 < Partnership.objects.published().count() < N
    assert Partnership.objects.filter(funding_lines__isnull=False).exists()
    assert Partnership.objects.filter(events__isnull=False).exists()
    # Every partnership is in the history, created by the batch.
    assert Partnership.history.filter(history_type="+").count() == N


@pytest.mark.django_db
def test_generate_is_the_same_atlas_for_the_same_seed(places):
    """The same seed draws the same records and writes the same atlas; another seed differs."""
    # given
    first_records = list(synthetic_records(N, 11, places))
    assert first_records == list(synthetic_records(N, 11, places))
    assert first_records != list(synthetic_records(N, 12, places))
    with transaction.atomic():
        generate(partnerships=N, seed=11, places=places)
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Partnership.objects.exists()
    # when
    generate(partnerships=N, seed=11, places=places)
    # then
    assert _snapshot() == first
    # and generating it again changes nothing
    again = generate(partnerships=N, seed=11, places=places)
    assert again.counts["unchanged"] == N and Partnership.objects.count() == N


@pytest.mark.django_db
def test_generate_leaves_the_search_index_complete_with_every_facet(places):
    """Every partnership has its search document, with what the index would build from the
    database, and every facet of the search has values."""
    # when
    generate(partnerships=N, seed=3, places=places)
    # then
    documents = dict(SearchDocument.objects.values_list("partnership_id", "text"))
    assert len(documents) == N
    sample = list(Partnership.objects.order_by("pk").values_list("pk", flat=True)[:50])
    for indexed in Reader().read(sample):
        # The importer indexes through the index's one builder.
        assert documents[indexed.pk] == document_text(indexed)
    result = SearchQuery({"q": "synthétiques"}).run(Partnership.objects.all())
    assert result.count == N
    facets = {facet.name: facet.values for facet in SearchQuery({}).run(Partnership.objects.all()).facets}
    for name in (
        "pays",
        "zone",
        "region",
        "departement",
        "theme",
        "forme",
        "etat",
        "acteur",
        "odd",
        "financement",
    ):
        assert facets[name], name


@pytest.mark.django_db
def test_generate_refuses_an_atlas_holding_real_partnerships_unless_forced(places, demo_atlas):
    """An atlas with real partnerships is refused, nothing written; --force adds to it."""
    # given
    real = Partnership.objects.count()
    # when / then
    with pytest.raises(GenerateError, match="pas synthétiques"):
        generate(partnerships=N, seed=1, places=places)
    assert Partnership.objects.count() == real
    assert not ImportBatch.objects.filter(source_kind=SOURCE_KIND).exists()
    # when forced
    generate(partnerships=20, seed=1, force=True, places=places)
    # then
    assert Partnership.objects.count() == real + 20


@pytest.mark.django_db(databases=["default", "jobs"])
def test_cli_generate_refuses_bad_arguments_and_a_real_atlas(capsys, demo_atlas):
    """Bad counts and seeds, and a real atlas, are refused with a message saying why."""
    for argv, said in [
        (["--partnerships", "0"], "Nombre de partenariats invalide"),
        (["--partnerships", "dix"], "Nombre de partenariats invalide"),
        (["--partnerships", "10", "--seed", "-3"], "Graine invalide"),
        (["--partnerships", "10", "--seed", "x"], "Graine invalide"),
        (["--partnerships", "10"], "--force"),
    ]:
        assert main(["generate", *argv]) == 2, argv
        assert said in capsys.readouterr().err, argv
    assert not ImportBatch.objects.filter(source_kind=SOURCE_KIND).exists()
