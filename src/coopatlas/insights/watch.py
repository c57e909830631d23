"""Watch lists of a scope: what needs a person's attention, each list exportable.

Conventions ending soon, records not verified for two years, records missing themes, years or
coordinates, suspected duplicate organisations, partnerships entered twice, and dates that
contradict each other.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coopatlas.atlas.choices import OrganisationKind, PartnershipStatus
from coopatlas.atlas.duplicates import find_duplicates, find_partnership_duplicates
from coopatlas.atlas.models import (
    STALE_AFTER_DAYS,
    FundingLine,
    Organisation,
    Participation,
    Partnership,
    PartnershipTheme,
)
from coopatlas.core.years import add_months
from coopatlas.search.memo import remembered, scope_key
from coopatlas.search.query import SearchQuery

DEFAULT_MONTHS = 12
_PLACEHOLDER = 987654321
LOCAL_AUTHORITY_KINDS = (
    OrganisationKind.COMMUNE,
    OrganisationKind.EPCI,
    OrganisationKind.METROPOLE,
    OrganisationKind.DEPARTEMENT,
    OrganisationKind.REGION,
    OrganisationKind.FOREIGN_AUTHORITY,
)


@dataclass
class WatchItem:
    cells: list
    url: str


@dataclass
class WatchList:
    name: str
    title: str
    description: str
    columns: list[str]
    items: list[WatchItem] = field(default_factory=list)  # the first `limit` of them
    computed: bool = True  # False: left out on request (the duplicates search is slow on a large atlas)
    count: int = -1  # how many the list holds (-1: as many as its items)

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.items)


def _partnership_items(
    queryset: QuerySet[Partnership],
    *extra_fields: str,
    order: tuple[str, ...] = ("title", "pk"),
    limit: int | None = None,
) -> dict:
    """Return how many partnerships `queryset` holds and one item for each of the first `limit`
    (all when None): id, title, status label, then `extra_fields`, as WatchList arguments.

    Flat rows and one URL pattern: lists can hold tens of thousands of records.
    """
    statuses = {value: str(label) for value, label in PartnershipStatus.choices}
    pattern = reverse("web:partnership", args=[_PLACEHOLDER])
    rows = queryset.order_by(*order).values_list("pk", "title", "status", *extra_fields)
    items = [
        WatchItem(
            [pk, title, statuses.get(status, status), *extra], pattern.replace(str(_PLACEHOLDER), str(pk))
        )
        for pk, title, status, *extra in (rows if limit is None else rows[:limit])
    ]
    count = len(items) if limit is None or len(items) < limit else queryset.count()
    return {"items": items, "count": count}


def build(
    query: SearchQuery,
    base: QuerySet[Partnership],
    *,
    months: int = DEFAULT_MONTHS,
    today: date | None = None,
    duplicates: bool = True,
    limit: int | None = None,
):
    """Return the watch lists of the scope (`months`: how far ahead "ending soon" looks), each
    with its count and its first `limit` items (all when None: for the CSV files).

    `duplicates=False` leaves the duplicates list empty and marked not computed: comparing every
    organisation's names takes seconds on a national atlas, so pages ask for it separately.
    """
    today = today or date.today()
    scope = query.filtered(base, text=False)
    if limit is None:  # whole lists (for a file): read each time, never kept in memory
        return _lists(scope, months, today, duplicates, limit)
    # Remembered under the index's version, in the interface's language (titles, statuses).
    material = (scope_key(scope), months, today, duplicates, limit, get_language())
    return remembered("watch", material, lambda: _lists(scope, months, today, duplicates, limit))


def _lists(
    scope: QuerySet[Partnership], months: int, today: date, duplicates: bool, limit: int | None
) -> list[WatchList]:
    ids = scope.values("pk")
    head = [_("Identifiant"), _("Titre"), _("État")]
    lists = []

    horizon = add_months(today, months)
    ending = scope.ending(today, horizon)
    lists.append(
        WatchList(
            "fin-proche",
            _("Conventions qui se terminent dans les %(n)s mois") % {"n": months},
            _("Date de fin entre aujourd'hui et le %(day)s : renouveler, prolonger ou clore.")
            % {"day": horizon.strftime("%d/%m/%Y")},
            [*head, _("Date de fin")],
            **_partnership_items(ending, "end_date", order=("end_date", "title", "pk"), limit=limit),
        )
    )
    stale_before = today - timedelta(days=STALE_AFTER_DAYS)
    stale = scope.filter(Q(last_verified_on__isnull=True) | Q(last_verified_on__lt=stale_before))
    lists.append(
        WatchList(
            "a-verifier",
            _("Non vérifiés depuis plus de deux ans"),
            _("Jamais vérifiés, ou vérifiés pour la dernière fois avant le %(day)s.")
            % {"day": stale_before.strftime("%d/%m/%Y")},
            [*head, _("Dernière vérification")],
            **_partnership_items(stale, "last_verified_on", limit=limit),
        )
    )
    no_theme = scope.exclude(pk__in=PartnershipTheme.objects.values("partnership_id"))
    lists.append(
        WatchList(
            "sans-theme",
            _("Sans thème"),
            _("Aucun thème : ces partenariats manquent aux classements par thème."),
            head,
            **_partnership_items(no_theme, limit=limit),
        )
    )
    no_year = scope.filter(start_year__isnull=True, signature_year__isnull=True)
    lists.append(
        WatchList(
            "sans-annee",
            _("Sans année de début ni de signature"),
            _("Ils manquent aux courbes par année."),
            head,
            **_partnership_items(no_year, limit=limit),
        )
    )
    # The few organisations without a point first, then whether they take part in the scope
    # (a join over every participation, with DISTINCT, takes seconds on a national atlas).
    unlocated = (
        Organisation.objects.filter(kind__in=LOCAL_AUTHORITY_KINDS)
        .filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        .filter(pk__in=Participation.objects.filter(partnership_id__in=ids).values("organisation_id"))
        .order_by("name", "pk")
    )
    lists.append(
        WatchList(
            "sans-coordonnees",
            _("Collectivités sans coordonnées"),
            _("Absentes des cartes : choisir leur lieu dans la liste des lieux à vérifier."),
            [_("Identifiant"), _("Organisation"), _("Pays"), _("Motif")],
            [
                WatchItem([o.pk, o.name, o.country_id, o.place_reason], o.get_absolute_url())
                for o in (unlocated if limit is None else unlocated[:limit])
            ],
            count=unlocated.count() if limit is not None else -1,
        )
    )
    in_scope = Organisation.objects.filter(
        pk__in=Participation.objects.filter(partnership_id__in=ids).values("organisation_id")
    )
    lists.append(
        WatchList(
            "doublons",
            _("Doublons probables"),
            _("Même pays et même type, noms ou identifiants proches : à fusionner (coopatlas dedupe)."),
            [_("Organisation gardée"), _("Doublon"), _("Pays"), _("Motif")],
            [
                WatchItem(
                    [p.survivor.name, p.duplicate.name, p.survivor.country_id, p.reason],
                    p.duplicate.get_absolute_url(),
                )
                for p in (find_duplicates(in_scope) if duplicates else [])
            ],
            computed=duplicates,
        )
    )
    # Found in SQL from the participations (atlas.duplicates): quick enough to list every time.
    twice = find_partnership_duplicates(scope)
    pattern = reverse("web:partnership", args=[_PLACEHOLDER])
    lists.append(
        WatchList(
            "doublons-partenariats",
            _("Partenariats en double"),
            _(
                "Mêmes collectivités françaises et étrangères, formes compatibles : une seule réalité "
                "saisie deux fois, à fusionner (coopatlas dedupe --partnerships)."
            ),
            [_("Identifiant"), _("Doublon"), _("Partenariat gardé"), _("Partenaires"), _("Motif")],
            [
                WatchItem(
                    [
                        p.duplicate.pk,
                        p.duplicate.title,
                        f"n° {p.survivor.pk} · {p.survivor.title}",
                        p.partners,
                        p.reason,
                    ],
                    pattern.replace(str(_PLACEHOLDER), str(p.duplicate.pk)),
                )
                for p in (twice if limit is None else twice[:limit])
            ],
            count=len(twice),
        )
    )
    lists.append(
        WatchList(
            "dates-incoherentes",
            _("Dates incohérentes"),
            _(
                "Terminé mais avec une fin à venir, en cours alors que la fin est passée, "
                "signé après la fin, ou financé après la fin."
            ),
            [*head, _("Problème")],
            **_inconsistent(scope, today, limit),
        )
    )
    return lists


def _inconsistent(scope: QuerySet[Partnership], today: date, limit: int | None) -> dict:
    """Return the first `limit` partnerships whose dates contradict each other and their count,
    as WatchList arguments."""
    flags = [
        (
            scope.filter(status=PartnershipStatus.ENDED, end_date__gt=today),
            _("terminé, mais la date de fin est à venir"),
        ),
        (scope.status_outdated(today), _("en cours ou en projet, mais la date de fin est passée")),
        (
            scope.filter(end_date__isnull=False)
            .annotate(end_year=ExtractYear("end_date"))
            .filter(signature_year__gt=F("end_year")),
            _("signé après sa date de fin"),
        ),
        (
            scope.filter(
                pk__in=FundingLine.objects.filter(partnership__end_date__isnull=False)
                .annotate(end_year=ExtractYear("partnership__end_date"))
                .filter(year__gt=F("end_year"))
                .values("partnership_id")
            ),
            _("financé après sa date de fin"),
        ),
    ]
    problems: dict[int, list[str]] = {}
    for queryset, words in flags:
        for pk in queryset.values_list("pk", flat=True):
            problems.setdefault(pk, []).append(words)
    flagged = Partnership.objects.none()
    for queryset, _words in flags:
        flagged = flagged | Partnership.objects.filter(pk__in=queryset.values("pk"))
    rows = flagged.order_by("title", "pk").values_list("pk", "title", "status")
    statuses = {value: str(label) for value, label in PartnershipStatus.choices}
    pattern = reverse("web:partnership", args=[_PLACEHOLDER])
    items = [
        WatchItem(
            [pk, title, statuses.get(status, status), " ; ".join(problems[pk])],
            pattern.replace(str(_PLACEHOLDER), str(pk)),
        )
        for pk, title, status in (rows if limit is None else rows[:limit])
    ]
    return {"items": items, "count": len(problems)}
