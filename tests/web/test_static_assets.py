"""The static files of npm packages the pages use, and only those, are collected and served."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

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
