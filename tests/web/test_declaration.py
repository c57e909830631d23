"""Declaring a partnership in steps: each step written at once through the services, partners
found or created and placed, themes and SDGs, dates, funding lines with their totals, people,
events, sources and documents (their real type read from their bytes, their access level kept),
then sending the draft to review."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coopatlas.atlas.models import Document, Partnership, Theme
from tests.accounts.factories import editor_of, grande_synthe, lyon, pair

# A real one-page PDF, as a word processor writes it (the smallest valid file, hand-checked
# with poppler's pdfinfo).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _open(client, document_pk: int):
    """Ask for a document; the streamed file is read and closed."""
    answer = client.get(f"/documents/{document_pk}/")
    if answer.status_code == 200:
        answer.content_read = b"".join(answer.streaming_content)
        # the file only: response.close() would send request_finished, which closes the test's
        # database connection (PostgreSQL then fails the rest of the test)
        for close in answer._resource_closers:
            close()
        answer._resource_closers.clear()
    return answer


def _send(client, partnership, access: str, name: str, content: bytes):
    """Attach a file on the sources step, as a person would."""
    return client.post(
        _step(partnership.pk, "sources"),
        {
            "part": "document",
            "document-title": name,
            "document-kind": "other",
            "document-access": access,
            "document-file": SimpleUploadedFile(name, content),
        },
    )


def _step(pk: int, slug: str) -> str:
    return f"/mes-partenariats/{pk}/etapes/{slug}/"


def test_a_twinning_declared_in_steps_with_two_partners_money_and_a_document(client, db, media, resolver):
    town = grande_synthe()
    client.force_login(editor_of(town))
    answer = client.post(
        "/mes-partenariats/nouveau/",
        {"french": town.pk, "partner_name": "Sidi Ifni", "partner_country": "MA", "form": "twinning"},
    )
    partnership = Partnership.objects.get()
    assert answer["Location"] == _step(partnership.pk, "partenaires")
    assert partnership.publication_state == "draft"

    page = client.get(_step(partnership.pk, "partenaires")).content.decode()
    assert "Sidi Ifni" in page and 'list="known-partners"' in page
    client.post(_step(partnership.pk, "partenaires"), {"partner-name": "Ratingen", "partner-country": "DE"})
    ratingen = partnership.participations.get(organisation__name="Ratingen").organisation
    assert ratingen.latitude is not None and round(ratingen.latitude) == 51  # placed by the resolver
    page = client.get(_step(partnership.pk, "partenaires")).content.decode()
    assert "lieu trouvé" in page
    again = client.post(
        _step(partnership.pk, "partenaires"), {"partner-name": "ratingen", "partner-country": "DE"}
    )
    assert again.status_code == 400 and "déjà partenaire" in again.content.decode()

    water = Theme.objects.filter(name_fr__icontains="eau").first()
    answer = client.post(
        _step(partnership.pk, "quoi"),
        {
            "form": "twinning",
            "title": "Jumelage Grande-Synthe – Sidi Ifni – Ratingen",
            "status": "active",
            "summary": "Échanges scolaires.",
            "main_theme": water.pk,
            "themes": [water.pk],
            "sdgs": [],
            "version": partnership.version,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == _step(partnership.pk, "quand")
    partnership.refresh_from_db()
    assert partnership.theme_links.get().theme == water
    partnership.refresh_from_db()
    stale = partnership.version - 1
    bad = client.post(
        _step(partnership.pk, "quand"),
        {"start_year": "1789", "signature_year": "2003", "version": partnership.version},
    )
    assert bad.status_code == 400 and "start_year" in bad.context["form"].errors
    conflict = client.post(
        _step(partnership.pk, "quand"), {"start_year": "2003", "signature_year": "2003", "version": stale}
    )
    assert conflict.status_code == 400 and "rien n" in conflict.content.decode()  # an older version
    client.post(
        _step(partnership.pk, "quand"),
        {"start_year": "2003", "signature_year": "2003", "version": partnership.version},
    )
    partnership.refresh_from_db()
    assert partnership.start_year == 2003

    for amount, water_share, year in (("12000", "4000", "2023"), ("8000.50", "", "2024")):
        client.post(
            _step(partnership.pk, "financement"),
            {
                "part": "funding",
                "funding-funder_label": "Ville de Grande-Synthe",
                "funding-amount": amount,
                "funding-water_one_percent_amount": water_share,
                "funding-year": year,
                "funding-kind": "own_funds",
            },
        )
    page = client.get(_step(partnership.pk, "financement")).content.decode()
    assert partnership.funding_lines.count() == 2
    assert "20" in page and "4" in page  # totals shown (20 000,50 € in all, 4 000 € "1 % eau")
    negative = client.post(
        _step(partnership.pk, "financement"),
        {
            "part": "funding",
            "funding-funder_label": "X",
            "funding-amount": "-5",
            "funding-year": "2024",
            "funding-kind": "other",
        },
    )
    assert negative.status_code == 400 and "amount" in negative.context["part_forms"]["funding"].errors

    upload = SimpleUploadedFile("convention signée.pdf", PDF, content_type="application/pdf")
    client.post(
        _step(partnership.pk, "sources"),
        {
            "part": "document",
            "document-title": "Convention",
            "document-kind": "convention",
            "document-access": "scope",
            "document-file": upload,
        },
    )
    document = Document.objects.get()
    assert document.content_type == "application/pdf" and document.file_name.endswith(".pdf")
    assert _open(client, document.pk).status_code == 200

    answer = client.post(_step(partnership.pk, "envoi"), {"comment": "Merci de relire."})
    partnership.refresh_from_db()
    assert partnership.publication_state == "submitted"
    assert answer["Location"] == partnership.get_absolute_url()


def test_a_file_is_judged_by_its_bytes_and_its_size(client, db, media, settings):
    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town))

    disguised = _send(client, partnership, "public", "rapport.pdf", b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 400 and "rapport.pdf" in disguised.content.decode()
    assert "accepté" in disguised.content.decode()
    settings.DOCUMENT_MAX_BYTES = 100
    large = _send(client, partnership, "public", "gros.pdf", PDF + b"0" * 200)
    assert large.status_code == 400 and "au plus" in large.content.decode()
    settings.DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (4, 4), "blue").save(png, "PNG")
    assert _send(client, partnership, "public", "../../etc/photo.exe", png.getvalue()).status_code == 302
    document = Document.objects.get()
    assert document.content_type == "image/png" and document.file.name.endswith(".png")
    assert ".." not in document.file.name and "etc" not in document.file_name.split(".")[0][:3]
    assert not Document.objects.filter(content_type="text/html").exists()


def test_who_may_open_a_document(client, db, media, django_user_model):
    from coopatlas.atlas.services.documents import document_add

    town = grande_synthe()
    editor = editor_of(town)
    partnership = pair(town, "Sidi Ifni", "MA", state="published")
    documents = {
        access: document_add(
            partnership=partnership,
            upload=SimpleUploadedFile(f"{access}.pdf", PDF),
            title=f"Rapport-{access}",
            kind="report",
            access=access,
            acting_user=editor,
        )
        for access in ("public", "scope", "private")
    }
    assert _open(client, documents["public"].pk).status_code == 200  # anonymous
    page = client.get(partnership.get_absolute_url()).content.decode()
    assert "Rapport-public" in page and "Rapport-scope" not in page and "Rapport-private" not in page
    assert _open(client, documents["scope"].pk).status_code == 404
    client.force_login(editor_of(lyon(), "lyon@example.org"))
    assert _open(client, documents["scope"].pk).status_code == 404
    client.force_login(editor_of(town, "autre@example.org"))
    assert _open(client, documents["scope"].pk).status_code == 200
    assert _open(client, documents["private"].pk).status_code == 404
    client.force_login(editor)
    answer = _open(client, documents["private"].pk)
    assert answer.status_code == 200 and answer["X-Content-Type-Options"] == "nosniff"
    assert answer.content_read == PDF
    assert "sandbox" in answer["Content-Security-Policy"]


def test_an_editor_elsewhere_cannot_use_the_steps(client, db):
    partnership = pair(grande_synthe(), "Sidi Ifni", "MA")
    client.force_login(editor_of(lyon(), "lyon@example.org"))
    assert client.get(_step(partnership.pk, "quoi")).status_code in (403, 404)
    answer = client.post(
        _step(partnership.pk, "financement"),
        {
            "part": "funding",
            "funding-funder_label": "X",
            "funding-amount": "5",
            "funding-year": "2024",
            "funding-kind": "other",
        },
    )
    assert answer.status_code in (403, 404) and not partnership.funding_lines.exists()
    assert client.get(_step(partnership.pk, "nulle-part")).status_code == 404


def test_removing_takes_only_this_partnerships_parts(client, db):
    from coopatlas.atlas.models import FundingLine

    town = grande_synthe()
    mine, other = pair(town, "Sidi Ifni", "MA"), pair(lyon(), "Birmingham", "GB")
    line = FundingLine.objects.create(partnership=other, funder_label="Lyon", amount=10, year=2020)
    client.force_login(editor_of(town))
    for value in (f"funding:{line.pk}", "funding:abc", "funding:", "nothing:1", "funding:١"):
        answer = client.post(_step(mine.pk, "financement"), {"remove": value})
        assert answer.status_code == 404, value
    assert FundingLine.objects.filter(pk=line.pk).exists()


def test_parts_that_check_themselves_and_files_that_lie(client, db, media):
    """An event (its clean() needs its partnership), a funding line with no funder (refused next
    to the field, no server error), a corrupt or encrypted archive (refused), and a file's
    download name taking the extension of what it is."""
    import zipfile

    town = grande_synthe()
    partnership = pair(town, "Sidi Ifni", "MA")
    client.force_login(editor_of(town))
    client.post(
        _step(partnership.pk, "evenements"),
        {"part": "event", "event-kind": "signature", "event-title": "Signature", "event-year": "2003"},
    )
    assert partnership.events.get().title == "Signature"
    empty = client.post(
        _step(partnership.pk, "financement"),
        {"part": "funding", "funding-amount": "10", "funding-year": "2024", "funding-kind": "other"},
    )
    assert empty.status_code == 400 and "funder_label" in empty.context["part_forms"]["funding"].errors

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    truncated = archive.getvalue()[:-30]
    assert _send(client, partnership, "scope", "rapport.odt", truncated).status_code == 400
    assert _send(client, partnership, "scope", "convention.hta", PDF).status_code == 302
    document = Document.objects.get()
    assert document.file_name == "convention.pdf" and document.file.name.endswith(".pdf")


def test_the_steps_are_for_drafts_and_name_only_public_partners(client, db):
    from coopatlas.atlas.models import Organisation

    town = grande_synthe()
    published = pair(town, "Sidi Ifni", "MA", state="published")
    pair(lyon(), "Secret-sur-Mer", "PT")  # a draft of another authority
    client.force_login(editor_of(town))
    answer = client.get(_step(published.pk, "financement"))
    assert answer.status_code == 302 and answer["Location"] == published.get_absolute_url()
    draft = pair(town, "Ratingen", "DE")
    page = client.get(_step(draft.pk, "partenaires")).content.decode()
    datalist = page[page.index('<datalist id="known-partners">') :]
    assert "Sidi Ifni" in datalist and "Secret-sur-Mer" not in datalist
    assert Organisation.objects.filter(name="Secret-sur-Mer").exists()
