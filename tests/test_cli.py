"""The `coopatlas` command line."""

import subprocess
import sys

import pytest

from coopatlas.atlas.models import Partnership
from coopatlas.cli import build_parser, main

pytestmark = pytest.mark.django_db


def test_cli_load_demo_then_check_reports_counts(capsys):
    """load-demo fills the atlas; check then reports the counts and exits 0."""
    # when
    assert main(["load-demo"]) == 0
    # then
    assert Partnership.objects.count() == 15
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Partenariats" in out and "15" in out and "Tout est en ordre" in out


def test_cli_check_flags_an_empty_atlas(capsys):
    """check exits 1 and says what to run when the atlas is empty."""
    assert main(["check"]) == 1
    assert "load-demo" in capsys.readouterr().err


def test_cli_load_demo_twice_creates_nothing_more(capsys):
    """A second load-demo keeps what exists."""
    main(["load-demo"])
    main(["load-demo"])
    assert "0 dossier(s) créé(s)" in capsys.readouterr().out
    assert Partnership.objects.count() == 15


def test_cli_help_lists_every_command():
    """The help names each command."""
    help_text = build_parser().format_help()
    for command in ["serve", "load-demo", "load-reference", "check", "manage"]:
        assert command in help_text


def test_cli_unknown_command_fails_clearly():
    """An unknown command exits with a usage message."""
    result = subprocess.run(
        [sys.executable, "-m", "coopatlas.cli", "fly"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
