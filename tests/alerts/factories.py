"""The people of the alerts' tests, on real places: Grande-Synthe's editor, the coordinator of
Hauts-de-France (Grande-Synthe's région), Lyon's editor (another territory) and an account
without a role."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from coopatlas.alerts.models import AlertKind
from coopatlas.alerts.services import Choice, subscriptions_save
from coopatlas.atlas.models import Organisation
from tests.accounts.factories import HAUTS_DE_FRANCE, coordinator_of_region, editor_of, grande_synthe, lyon


@dataclass
class Cast:
    grande_synthe: Organisation
    lyon: Organisation
    editor: object  # edits for Grande-Synthe
    coordinator: object  # reviews Hauts-de-France
    lyon_editor: object
    nobody: object  # signed in, no role


def cast() -> Cast:
    town, other = grande_synthe(), lyon()
    return Cast(
        grande_synthe=town,
        lyon=other,
        editor=editor_of(town, "editrice.gs@example.org"),
        coordinator=coordinator_of_region(HAUTS_DE_FRANCE, "coord.hdf@example.org"),
        lyon_editor=editor_of(other, "editeur.lyon@example.org"),
        nobody=get_user_model().objects.create_user(
            "curieuse@example.org", "curieuse@example.org", "pw-curieuse"
        ),
    )


def subscribe(user, kind: str, *, language: str = "fr", **params) -> None:
    """Turn one alert on for `user` through the service the settings page calls."""
    subscriptions_save(user, choices={kind: Choice(active=True, **params)}, language=language)


def body(message) -> str:
    """The whole text of an e-mail: its plain text and its HTML."""
    return message.body + "".join(content for content, _mime in message.alternatives)


__all__ = ["AlertKind", "Cast", "body", "cast", "subscribe"]
