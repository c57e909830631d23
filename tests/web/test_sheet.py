"""The printable partnership sheet (/partenariats/<id>/fiche.pdf) under the static storage that
`coopatlas serve` uses (hashed names from a manifest, after collectstatic), read back as text
and as pixels with poppler's pdftotext and pdftoppm."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.atlas.factories import commune, foreign_town, twinning
from tests.conftest import OUTPUT

PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (PDFTOPPM and PDFTOTEXT),
        reason="poppler-utils (pdftoppm, pdftotext) is not installed: `make browser` installs it",
    ),
]
# Django's manifest storage: the same manifest lookups as whitenoise's compressed one that
# `coopatlas serve` uses (config/settings/base.py), without minutes of compressing in a test.
MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# The title colour of atlas.css (--blue-dark), which an unstyled PDF would print in black.
TITLE_BLUE = (0x12, 0x2A, 0x63)


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """Collect the static files once, with hashed names and a manifest, as `coopatlas serve` does."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def manifest_static(collected_static):
    with override_settings(STATIC_ROOT=collected_static, STORAGES=MANIFEST_STORAGES):
        yield collected_static


def _sheet(client, partnership, tmp_path, name: str) -> tuple[str, object]:
    """Download the sheet; return its text (pdftotext) and its first page as a Pillow image."""
    from PIL import Image

    response = client.get(f"/partenariats/{partnership.pk}/fiche.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 - a fixed tool on a file of ours
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(tmp_path / name)],
        check=True,
    )
    OUTPUT.mkdir(exist_ok=True)
    shutil.copy(tmp_path / f"{name}.png", OUTPUT / f"{name}.png")
    return text, Image.open(tmp_path / f"{name}.png").convert("RGB")


def _pixels_near(image, colour, tolerance: int = 24) -> int:
    """Count the pixels of an RGB image within `tolerance` of `colour` on each channel."""
    data = image.tobytes()
    pixels = (data[i : i + 3] for i in range(0, len(data), 3))
    return sum(
        1 for pixel in pixels if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
    )


def test_sheet_under_manifest_storage_is_the_record_alone(client, manifest_static, tmp_path):
    """Under hashed static files, the sheet holds the record and none of the site's interface:
    no navigation, language or sign-in form, CSRF token, download link or similar partnerships."""
    # given
    partnership = twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"), year=1955)
    # when
    text, _image = _sheet(client, partnership, tmp_path, "sheet-manifest")
    # then
    assert "Jumelage Boulogne-Billancourt – Neukölln" in " ".join(text.split())
    assert "Neukölln" in text and "1955" in text
    for interface in [
        "Aller au contenu",
        "Accueil",
        "Tableau de bord",
        "Carte",
        "English",
        "Se connecter",
        "Télécharger",
        "API documentée",
        "Sources et licences",
        "fiche.pdf",
    ]:
        assert interface not in text, f"the sheet prints the interface's « {interface} »"
    assert not re.search(r"[A-Za-z0-9]{32,}", text), "the sheet prints a token"


def test_sheet_under_manifest_storage_is_styled(client, manifest_static, tmp_path):
    """Under hashed static files, the sheet's stylesheet applies: its title is the atlas's blue."""
    # given
    partnership = twinning(commune("Boulogne-Billancourt"), foreign_town("Neukölln", "DE"), year=1955)
    # when
    _text, image = _sheet(client, partnership, tmp_path, "sheet-manifest-style")
    # then
    assert _pixels_near(image, TITLE_BLUE) > 200, "no pixel of the title's blue: the sheet is unstyled"


def test_sheet_under_test_storage_is_styled_and_bare(client, tmp_path):
    """With plain static files (development, tests) the sheet is the same styled record alone."""
    # given
    partnership = twinning(commune("Lyon"), foreign_town("Turin", "IT"), year=1958)
    # when
    text, image = _sheet(client, partnership, tmp_path, "sheet-plain")
    # then
    assert "Turin" in text and "Accueil" not in text and "English" not in text
    assert _pixels_near(image, TITLE_BLUE) > 200
