"""Helpers for import tests: write a file, import it, look at the atlas."""

from pathlib import Path

import pytest

from coopatlas.ingest.service import ImportRequest, import_file


@pytest.fixture
def run_import(resolver, db):
    """Import a file and return its report (notes attached as `report.notes`)."""

    def run(path: Path, source: str, **options):
        report, notes = import_file(ImportRequest(path=Path(path), source=source, **options))
        report.notes = notes
        return report

    return run


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
