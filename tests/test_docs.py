"""The README documents the two commands and every CLI command (a test fails when one is not)."""

from coopatlas.cli import build_parser
from tests.conftest import REPO


def test_readme_opens_with_the_two_commands():
    """The README's first lines give `make run` and `make test`."""
    head = "\n".join((REPO / "README.md").read_text().splitlines()[:15])
    assert "make run" in head and "make test" in head


def test_readme_documents_every_cli_command():
    """Each `coopatlas` sub-command appears in the README."""
    readme = (REPO / "README.md").read_text()
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    for name in subparsers.choices:
        assert f"coopatlas {name}" in readme, name


def test_data_model_doc_names_every_model():
    """docs/data-model.md describes every atlas model."""
    from django.apps import apps

    doc = (REPO / "docs" / "data-model.md").read_text()
    for model in apps.get_app_config("atlas").get_models():
        if not model.__name__.startswith("Historical"):
            assert f"`{model.__name__}`" in doc, model.__name__
