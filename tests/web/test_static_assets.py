"""The static files of npm packages the pages use, and only those, are collected and served."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

from config.settings import base as base_settings
from coopatlas.atlas.models import Organisation, Partnership
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS

SRC = Path(__file__).resolve().parents[2] / "src" / "coopatlas"
VENDOR_REFERENCE = re.compile(r"""['"(]((?:\{\{ *STATIC_URL *\}\}|/static/)?vendor/[\w./-]+)""")


def _vendor_references() -> dict[str, Path]:
    """Every `vendor/…` path named by a template, a script or a stylesheet of ours, with where."""
    found: dict[str, Path] = {}
    for path in [
        *SRC.rglob("templates/**/*.html"),
        *SRC.rglob("static/**/*.js"),
        *SRC.rglob("static/**/*.css"),
    ]:
        for match in VENDOR_REFERENCE.finditer(path.read_text(encoding="utf-8")):
            found.setdefault("vendor/" + match.group(1).split("vendor/", 1)[1], path)
    return found


def _collected() -> dict[str, Path]:
    """What collectstatic would copy: each static path with its source file."""
    files = {}
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            prefix = getattr(storage, "prefix", None)
            files[f"{prefix}/{path}" if prefix else path] = Path(storage.path(path))
    return files


def test_static_every_vendor_reference_is_a_listed_npm_file():
    """Each `vendor/` file a page names is in settings.NODE_MODULES_FILES and exists in node_modules."""
    # given
    references = _vendor_references()
    assert "vendor/leaflet/leaflet.js" in references and "vendor/echarts/echarts.min.js" in references
    # when / then
    for url, where in references.items():
        assert url in settings.NODE_MODULES_FILES, (
            f"{url} (named in {where.name}) is not in NODE_MODULES_FILES"
        )
        source = Path(settings.NODE_MODULES) / settings.NODE_MODULES_FILES[url]
        assert source.is_file(), f"{url}: {source} is missing (make install runs npm ci)"


def test_static_listed_files_name_only_listed_files():
    """What a listed stylesheet or script loads in turn (url(), sourceMappingURL) is listed too, so the
    manifest storage finds it."""
    listed = settings.NODE_MODULES_FILES
    for url, source in listed.items():
        if not url.endswith((".css", ".js")):
            continue
        text = (Path(settings.NODE_MODULES) / source).read_text(encoding="utf-8")
        names = re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", text) if url.endswith(".css") else []
        names += re.findall(r"(?m)^//# sourceMappingURL=(\S+)$", text)
        for name in names:
            if name.startswith(("#", "data:", "http:", "https:")):
                continue
            target = url.rsplit("/", 1)[0] + "/" + name
            assert target in listed, f"{url} loads {name}: {target} is not in NODE_MODULES_FILES"


def test_static_collects_a_few_npm_files_and_no_test_tool():
    """Collecting copies the listed npm files alone (a few MB, not whole packages); axe-core, a test
    tool, is not served."""
    # when
    collected = _collected()
    # then
    vendor = {url: path for url, path in collected.items() if url.startswith("vendor/")}
    assert set(vendor) == set(settings.NODE_MODULES_FILES)
    assert not [url for url in collected if "axe" in url]
    size = sum(path.stat().st_size for path in vendor.values())
    assert size < 3_000_000, f"{size / 1e6:.1f} MB of npm files collected"


@pytest.fixture
def manifest_live(tmp_path, settings, resolver, transactional_db):
    """A live server with the static files as `make run` serves them: collected by the manifest
    storage (hashed names, compressed) into a STATIC_ROOT of its own and served by WhiteNoise (not
    by the test server's finders, which know no hashed name); the demo atlas, located."""
    from django.core.management import call_command
    from django.db import connections
    from django.test.testcases import LiveServerThread

    from coopatlas.atlas.demo.loader import load_demo
    from coopatlas.atlas.localisation import organisations_locate

    settings.STATIC_ROOT = str(tmp_path / "static")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": base_settings.STORAGES["staticfiles"]["BACKEND"]},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo()
    organisations_locate()
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    pages = [
        "/",
        "/carte/",
        f"/tableau-de-bord/?territoire={clermont.pk}",
        "/tableau-de-bord/reseau/",
        "/pays/DE/",
        clermont.get_absolute_url(),
        Partnership.objects.get(external_ref="demo:clermont-rivm").get_absolute_url(),
        "/recherche/?q=jumelage",
        "/api/v1/docs",
        "/admin/login/",
    ]
    in_memory = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    for connection in in_memory.values():
        connection.inc_thread_sharing()
    server = LiveServerThread("127.0.0.1", lambda application: application, connections_override=in_memory)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        if server.error:
            raise server.error
        yield f"http://127.0.0.1:{server.port}", pages
    finally:
        server.terminate()
        for connection in in_memory.values():
            connection.dec_thread_sharing()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_static_every_page_finds_its_assets_under_the_manifest_storage(manifest_live):
    """Under the settings `make run` uses, the map, dashboard, network, search, API docs and admin
    pages load every static file they ask for (no 404), and the map and charts draw."""
    from playwright.sync_api import sync_playwright

    # given
    base_url, pages = manifest_live
    answers: list[tuple[str, int]] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # map tiles
        page.on("response", lambda r: answers.append((r.url, r.status)) if "/static/" in r.url else None)
        page.on("requestfailed", lambda r: failed.append(r.url) if "/static/" in r.url else None)
        drawn = {}
        for path in pages:
            # when
            response = page.goto(base_url + path)
            page.wait_for_load_state("networkidle")
            # then
            assert response.status == 200, path
            drawn[path] = page.evaluate(
                "[document.querySelectorAll('.leaflet-container').length,"
                " document.querySelectorAll('canvas, svg').length]"
            )
        browser.close()
    missing = [(url, status) for url, status in answers if status >= 400]
    assert not missing and not failed, f"static files not found: {missing or failed}"
    asked = {url.split("/static/", 1)[1] for url, _ in answers}
    for name in ["leaflet", "leaflet.markercluster", "echarts", "topojson-client", "world-atlas", "htmx"]:
        assert any(a.startswith(f"vendor/{name}/") for a in asked), f"no vendor/{name}/ file was asked for"
    assert any(a.startswith("admin/") for a in asked) and any(a.startswith("ninja/") for a in asked)
    assert drawn["/carte/"][0] == 1, "the map did not draw"
    assert drawn["/tableau-de-bord/reseau/"][1] >= 1, "the network chart did not draw"
