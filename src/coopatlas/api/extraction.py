"""Extraction through the API: the partnerships a page's text states, as `coopatlas extract --json`
prints them. Nothing is stored and nothing is fetched; for signed-in users allowed to add
partnerships (the review and acceptance happen in the web app)."""

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from coopatlas.api.schemas import ErrorOut
from coopatlas.extraction.pages import PageError
from coopatlas.extraction.service import extract_text

router = Router(tags=["extraction"])


class ExtractIn(Schema):
    text: str
    url: str = ""
    base_authority: str | None = None
    lang: str | None = None


class EvidenceOut(Schema):
    text: str
    start: int
    end: int


class CandidateOut(Schema):
    french_authority: str | None
    french_authority_kind: str
    foreign_authority: str
    country: str
    country_iso2: str | None
    year: int | None
    kind: str
    themes: list[str]
    confidence: float
    evidence: EvidenceOut


@router.post(
    "/extract",
    auth=django_auth,
    response={200: list[CandidateOut], 400: ErrorOut, 403: ErrorOut},
    summary="Partnerships stated by a page's text or HTML",
)
def extract(request: HttpRequest, payload: ExtractIn):
    if not request.user.has_perm("atlas.add_partnership"):
        return Status(403, {"detail": "Réservé aux utilisateurs autorisés à ajouter des partenariats."})
    if payload.lang not in (None, "fr", "en"):
        return Status(400, {"detail": f"Langue inconnue : {payload.lang} (admises : fr, en)"})
    try:
        _, candidates = extract_text(
            payload.text, url=payload.url, base_authority=payload.base_authority, lang=payload.lang
        )
    except PageError as error:
        return Status(400, {"detail": f"{error.fr} / {error.en}"})
    return Status(200, candidates)
