"""What a person does with the candidates of a page: keep them for review, accept one (as found or
edited) as a new partnership, merge it into an existing partnership, or reject it.

An accepted candidate goes through the import pipeline like any other record (place resolution,
identity, history, one import batch named after the page), with the page as its source.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coopatlas.atlas.choices import OrganisationKind, ParticipationRole, PublicationState
from coopatlas.atlas.models import Organisation, Partnership, Theme
from coopatlas.atlas.services import participation_add, source_add
from coopatlas.extraction.models import Candidate, ExtractedPage
from coopatlas.extraction.pages import Page
from coopatlas.ingest.parsing import overseas_as_france
from coopatlas.ingest.pipeline import Importer

KIND_TO_FORM = {
    "jumelage": "twinning",
    "cooperation_agreement": "cooperation_agreement",
    "friendship_pact": "friendship_pact",
    "protocol": "protocol",
    "project": "project",
    "other": "other",
}
FRENCH_KIND = {
    "commune": OrganisationKind.COMMUNE,
    "epci": OrganisationKind.EPCI,
    "departement": OrganisationKind.DEPARTEMENT,
    "region": OrganisationKind.REGION,
}
EDITABLE = ("french_authority", "foreign_authority", "country_iso2", "year", "kind")


class ReviewError(ValueError):
    def __init__(self, fr: str, en: str) -> None:
        super().__init__(en)
        self.fr, self.en = fr, en


def _refused(error: ValidationError) -> ReviewError:
    """A record the models refuse, as a ReviewError naming each field and why."""
    if hasattr(error, "error_dict"):
        parts = [
            f"{field} : {' '.join(map(str, messages))}" for field, messages in error.message_dict.items()
        ]
    else:
        parts = [" ".join(error.messages)]
    said = " ; ".join(parts)
    said = said if len(said) <= 300 else said[:299] + "…"
    return ReviewError(f"Enregistrement refusé — {said}", f"Record refused — {said}")


def _validated(decide: Callable) -> Callable:
    """Turn the models' validation errors into a ReviewError (its transaction rolls back): the
    person sees the field at fault instead of a server error."""

    @wraps(decide)
    def run(*args, **kwargs):
        try:
            return decide(*args, **kwargs)
        except ValidationError as error:
            raise _refused(error) from None

    return run


def save_page(page: Page, candidates: list[dict], user: AbstractBaseUser | None) -> ExtractedPage:
    """Keep a page and its candidates until someone decides."""
    with transaction.atomic():
        stored = ExtractedPage.objects.create(
            url=page.url[:500],
            title=page.title[:300],
            text=page.text,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        Candidate.objects.bulk_create(
            Candidate(page=stored, position=index, data=data) for index, data in enumerate(candidates)
        )
    return stored


def _pending(candidate: Candidate) -> None:
    if candidate.status != Candidate.Status.PENDING:
        raise ReviewError(
            f"Ce candidat a déjà été traité ({candidate.get_status_display()}).",
            f"This candidate was already decided ({candidate.status}).",
        )


def _edited(candidate: Candidate, changes: dict) -> dict:
    data = dict(candidate.data)
    for name in EDITABLE:
        if name in changes and changes[name] is not None:
            value = str(changes[name]).strip()
            if name == "year":
                if value and not (value.isdigit() and len(value) == 4):
                    raise ReviewError(f"Année invalide : « {value} »", f"Invalid year: '{value}'")
                data[name] = int(value) if value else None
            elif name == "country_iso2":
                data[name] = value.upper()
            elif name == "kind" and value not in KIND_TO_FORM:
                raise ReviewError(f"Forme inconnue : « {value} »", f"Unknown kind: '{value}'")
            else:
                if not value and name != "kind":
                    raise ReviewError(f"Champ obligatoire : {name}", f"Required field: {name}")
                data[name] = value
    return data


def _themes(tags: list[str]) -> list[str]:
    """The broadest atlas theme of each extraction tag."""
    codes = []
    for tag in tags:
        theme = Theme.objects.filter(tag=tag).order_by("level", "pk").only("code").first()
        if theme is not None and theme.code not in codes:
            codes.append(theme.code)
    return codes


def _partner(name: str, country: str) -> dict:
    """The partner of a candidate: a foreign authority, or a French commune when it lies in France
    overseas (a candidate read before the rule may say RE or PF)."""
    organisation, role = overseas_as_france(
        {"name": name, "kind": OrganisationKind.FOREIGN_AUTHORITY, "country": country},
        ParticipationRole.FOREIGN_AUTHORITY,
    )
    return {"organisation": organisation, "role": role}


def _source(page: ExtractedPage) -> dict:
    return {"url": page.url, "title": (page.title or "Page lue par l'extracteur")[:300]}


@_validated
@transaction.atomic
def accept(candidate: Candidate, user: AbstractBaseUser, changes: dict | None = None) -> Partnership:
    """Make a partnership of the candidate (with the person's edits); draft unless the person may
    publish. Raise ReviewError naming the field when the record is refused."""
    candidate = Candidate.objects.select_for_update().select_related("page").get(pk=candidate.pk)
    _pending(candidate)
    data = _edited(candidate, changes or {})
    page = candidate.page
    year = data.get("year")
    record = {
        "form": KIND_TO_FORM.get(data.get("kind") or "other", "other"),
        "signature_year": year,
        "participants": [
            {
                "organisation": {
                    "name": data["french_authority"],
                    "kind": FRENCH_KIND.get(data.get("french_authority_kind"), OrganisationKind.COMMUNE),
                    "country": "FR",
                },
                "role": ParticipationRole.FRENCH_AUTHORITY,
            },
            _partner(data["foreign_authority"], data.get("country_iso2") or ""),
        ],
        "themes": _themes(data.get("themes") or []),
        "sources": [_source(page)],
    }
    if (existing := existing_pair(data)) is not None:
        partnership = existing  # already in the atlas: the page becomes one more source of it
    else:
        partnership = _import(candidate, record, user)
    source = _source(page)
    if not partnership.sources.filter(url=source["url"], title=source["title"]).exists():
        source_add(partnership=partnership, url=source["url"], title=source["title"])
    candidate.data = data
    candidate.status = Candidate.Status.ACCEPTED
    candidate.partnership = partnership
    candidate.decided_by, candidate.decided_at = user, timezone.now()
    candidate.save()
    return partnership


def existing_pair(data: dict) -> Partnership | None:
    """A partnership of the same form already joining organisations of these names (the
    French one in France, the partner in its country)."""
    form = KIND_TO_FORM.get(data.get("kind") or "other", "other")
    return (
        Partnership.objects.filter(
            form=form,
            participations__organisation__name__iexact=data.get("french_authority") or "",
            participations__organisation__country_id="FR",
        )
        .filter(
            participations__organisation__name__iexact=data.get("foreign_authority") or "",
            participations__organisation__country_id=data.get("country_iso2") or "",
        )
        .order_by("pk")
        .first()
    )


def _import(candidate: Candidate, record: dict, user: AbstractBaseUser) -> Partnership:
    """Create the partnership through the import pipeline; a record it already knows (same
    authorities and form) is left untouched and returned."""
    page = candidate.page
    publish = user.has_perm("coopatlas.import_publish")
    importer = Importer(
        source_kind="extraction",
        file_name=(page.title or page.url or f"page {page.pk}")[:255],
        file_sha256=hashlib.sha256(page.text.encode()).hexdigest(),
        acting_user=user,
        publication_state=PublicationState.PUBLISHED if publish else PublicationState.DRAFT,
        keep_existing=True,
    )
    report = importer.run(iter([(f"candidat {candidate.position + 1}", record)]))
    if report.errors:
        error = report.errors[0]
        raise ReviewError(
            f"{error.field} : {error.fr} ({error.value})", f"{error.field}: {error.en} ({error.value})"
        )
    if report.matched:
        return Partnership.objects.get(pk=report.matched[0])
    created = (
        Partnership.objects.filter(created_by_batch_id=report.batch_id).first() if report.batch_id else None
    )
    if created is None:
        raise ReviewError("Le partenariat n'a pas été créé.", "The partnership was not created.")
    return created


@_validated
@transaction.atomic
def merge(candidate: Candidate, partnership: Partnership, user: AbstractBaseUser) -> Partnership:
    """Add the candidate's page as a source of an existing partnership (and its foreign partner as
    a participant when missing)."""
    candidate = Candidate.objects.select_for_update().select_related("page").get(pk=candidate.pk)
    _pending(candidate)
    data = candidate.data
    names = set(partnership.participations.values_list("organisation__name", flat=True))
    if data["foreign_authority"] not in names:
        organisation = Organisation.objects.filter(
            name=data["foreign_authority"], country_id=data.get("country_iso2")
        ).first()
        if organisation is not None:
            participation_add(
                partnership=partnership,
                organisation=organisation,
                role=ParticipationRole.FOREIGN_AUTHORITY,
                acting_user=user,
            )
    source = _source(candidate.page)
    source_add(partnership=partnership, url=source["url"], title=source["title"])
    candidate.status = Candidate.Status.MERGED
    candidate.partnership = partnership
    candidate.decided_by, candidate.decided_at = user, timezone.now()
    candidate.save()
    return partnership


def reject(candidate: Candidate, user: AbstractBaseUser) -> None:
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        _pending(candidate)
        candidate.status = Candidate.Status.REJECTED
        candidate.decided_by, candidate.decided_at = user, timezone.now()
        candidate.save()
