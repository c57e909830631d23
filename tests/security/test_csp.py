"""Issue 14, hole 8: a strict Content-Security-Policy on every page, no inline code in our
templates, production settings that pass `check --deploy`, and `coopatlas serve` naming its
settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from coopatlas.atlas.models import Organisation, Partnership
from tests.security.conftest import hover_and_click, needs_chromium
from tests.web.test_browser import demo_live  # noqa: F401 — the demo pages' fixture, shared here

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "src" / "coopatlas" / "web" / "templates"
# Marks of a page that has finished its scripted drawing, by page (functions: a plain expression
# would be run by eval, which the policy refuses).
READY = {
    "map": "() => Number(document.querySelector('[data-atlas-map]').dataset.loaded) > 0",
    "dashboard": "() => document.querySelector('[data-chart=countries]').dataset.ready === '1'",
    "dashboard-print": "() => document.querySelector('[data-chart=countries]').dataset.ready === '1'",
    "network": "() => document.querySelector('[data-network]').dataset.ready === '1'",
}


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
def test_csp_header_is_strict_on_every_answer(client):
    """Pages, the API and JSON data all carry a CSP with no inline or eval script, our origin only."""
    for path in ["/", "/recherche/?q=x", "/api/v1/partnerships", "/carte/lieux.geojson", "/api/v1/docs"]:
        # when
        response = client.get(path)
        # then
        header = response.headers.get("Content-Security-Policy", "")
        directives = _directives(header)
        assert directives.get("script-src") == ["'self'"], (path, header)
        assert directives.get("style-src") == ["'self'"], (path, header)
        assert "unsafe" not in header, (path, header)
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == directives["frame-ancestors"] == ["'none'"]
        assert directives["base-uri"] == directives["form-action"] == ["'self'"]
        assert set(directives["img-src"]) == {"'self'", "data:", "https://tile.openstreetmap.org"}


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_hold_no_inline_code():
    """No template of ours holds an inline script or style, an on…= handler or a javascript: URL."""
    # given
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        # when
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(REPO)}:{line}: {what}")
    # then
    assert not found, "\n".join(found)


@pytest.fixture
def every_page(demo_live):  # noqa: F811
    """The demo pages, the print view, the staff pages and the admin's, with a superuser's session
    cookie: all prepared before the browser starts."""
    base_url, pages = demo_live
    pages = dict(pages)
    partnership = Partnership.objects.get(external_ref="demo:clermont-rivm")
    organisation = Organisation.objects.get(name="Boulogne-Billancourt")
    pages.update(
        {
            "dashboard-print": pages["dashboard"] + "&impression=1",
            "sources": "/sources/",
            "api-docs": "/api/v1/docs",
        }
    )
    staff_pages = {
        "imports": "/imports/",
        "extraction": "/extraction/",
        "places-review": "/lieux/a-verifier/",
        "admin": "/admin/",
        "admin-partnerships": "/admin/atlas/partnership/",
        "admin-partnership": f"/admin/atlas/partnership/{partnership.pk}/change/",
        "admin-organisation": f"/admin/atlas/organisation/{organisation.pk}/change/",
        "admin-organisation-add": "/admin/atlas/organisation/add/",
        "admin-history": f"/admin/atlas/partnership/{partnership.pk}/history/",
    }
    user = get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "pw-csp-123")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    return base_url, {"login": "/admin/login/", **pages}, staff_pages, session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@needs_chromium
def test_csp_no_page_breaks_the_policy_in_chromium(every_page, watched_page):
    """Every kind of page, public, staff and admin, draws itself with no CSP violation reported."""
    # given
    base_url, pages, staff_pages, session = every_page
    page = watched_page.page
    problems = []

    def visit(name: str, path: str) -> None:
        response = page.goto(base_url + path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        if name in READY:
            page.wait_for_function(READY[name])
        hover_and_click(page)  # tooltips and popups are drawn on hover and click
        problems.extend(f"{name}: {v}" for v in watched_page.violations())
        watched_page.refused.clear()

    # when
    for name, path in pages.items():
        visit(name, path)
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
    for name, path in staff_pages.items():
        visit(name, path)
    # then
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_pdf_sheet_still_prints_under_the_policy(client):
    """The printable sheet still comes out as a PDF (WeasyPrint reads our static files itself)."""
    # given
    from tests.atlas.factories import commune, foreign_town, twinning

    partnership = twinning(commune("Lyon"), foreign_town("Turin", "IT"))
    # when
    response = client.get(f"/partenariats/{partnership.pk}/fiche.pdf")
    # then
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_production_settings_pass_check_deploy_without_warning(tmp_path):
    """`manage.py check --deploy --fail-level WARNING` with the production settings passes."""
    # given
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "ALLOWED_HOSTS": "atlas.example.org",
        "COOPATLAS_VAR_DIR": str(tmp_path),
    }
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_serve_banner_names_the_settings_and_debug():
    """`coopatlas serve` starts by naming its settings module and whether DEBUG is on."""
    # given
    from django.conf import settings

    from coopatlas.cli import settings_banner

    # when
    banner = settings_banner()
    # then
    assert settings.SETTINGS_MODULE in banner
    assert "DEBUG désactivé" in banner
