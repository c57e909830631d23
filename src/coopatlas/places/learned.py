"""Names people placed by hand, read from the database for the resolver.

A person's choice on the page of places to check is stored once per name and country
(models.LearnedPlace, written by atlas.localisation.organisation_place_choose). Whoever
resolves many names in one run (an import, `coopatlas locate`) reads them here once, in one
query, and passes the snapshot to Resolver.resolve: every run sees the choices made before it
began, in whichever process they were made, and the process-wide resolver holds no state that
could go stale.
"""

from django.utils import timezone

from coopatlas.places.gazetteer import Place
from coopatlas.places.models import LearnedPlace
from coopatlas.places.resolver import LearnedAnswer, LearnedNames


def learned_place(row: LearnedPlace) -> Place:
    """Return the place a stored choice names, as the resolver's index would."""
    return Place(
        name=row.place_name,
        kind=row.place_kind,
        country_iso2=row.country_id,
        latitude=row.latitude,
        longitude=row.longitude,
        population=row.population,
        geonames_id=row.geonames_id,
        insee_code=row.insee_code or None,
        admin1=row.admin1,
        admin2=row.admin2,
    )


def learned_names() -> LearnedNames:
    """Return every name people placed, by (name key, country), read in one query."""
    return LearnedNames(
        {
            (row.name_key, row.country_id): LearnedAnswer(
                learned_place(row), timezone.localtime(row.chosen_at).date()
            )
            for row in LearnedPlace.objects.all().iterator(chunk_size=2000)
        }
    )
