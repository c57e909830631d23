"""Extraction through the API: the partnerships a page's text states, as `coopatlas extract --json`
prints them. Nothing is stored and nothing is fetched; for signed-in users allowed to add
partnerships (the review and acceptance happen in the web app).

The answer is computed inside the request, so the page's size is bounded (MAX_SYNC_CHARS, about
four seconds of reading); a longer page is refused with 413 and goes through the web app, which
reads it in the background worker, or through `coopatlas extract`."""

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from coopatlas.api.schemas import ErrorOut
from coopatlas.extraction.pages import PageError, read_page
from coopatlas.extraction.service import extract_page

router = Router(tags=["extraction"])

# The extractor reads about 30,000 characters a second (spaCy's sentences and entities).
MAX_SYNC_CHARS = 100_000


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
    response={200: list[CandidateOut], 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    summary="Partnerships stated by a page's text or HTML",
)
def extract(request: HttpRequest, payload: ExtractIn):
    if not request.user.has_perm("coopatlas.extraction_accept"):
        return Status(403, {"detail": "Réservé aux utilisateurs autorisés à ajouter des partenariats."})
    if payload.lang not in (None, "fr", "en"):
        return Status(400, {"detail": f"Langue inconnue : {payload.lang} (admises : fr, en)"})
    try:
        page = read_page(payload.text, url=payload.url)
    except PageError as error:
        return Status(400, {"detail": f"{error.fr} / {error.en}"})
    if len(page.text) > MAX_SYNC_CHARS:
        return Status(
            413,
            {
                "detail": f"Texte de {len(page.text)} caractères : l'API en lit {MAX_SYNC_CHARS} au "
                "plus ; pour une page plus longue, utilisez l'application web (/extraction/) ou "
                "`coopatlas extract`. / "
                f"Text of {len(page.text)} characters: the API reads {MAX_SYNC_CHARS} at most; "
                "for a longer page use the web app (/extraction/) or `coopatlas extract`."
            },
        )
    candidates = extract_page(page, base_authority=payload.base_authority, lang=payload.lang)
    return Status(200, candidates)
