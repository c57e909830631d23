"""Schemas of the read API (the shapes documented at /api/v1/docs)."""

import datetime

from ninja import Field, Schema

MAX_LIMIT = 500
# Far beyond any atlas, and within the 64-bit integers SQLite and PostgreSQL take for OFFSET:
# a bigger offset was a server error before it was refused here.
MAX_OFFSET = 1_000_000_000


class PageIn(Schema):
    """A page of a list: the bounds are in the schema, so a value out of them is a 400 naming it."""

    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ThemeOut(Schema):
    code: str
    name: str
    level: int
    path: list[str]
    priority: int


class ParticipantOut(Schema):
    id: int
    name: str
    role: str
    kind: str
    country_iso2: str
    insee_code: str | None = None


class FundingLineOut(Schema):
    funder: str
    funder_id: int | None
    amount: float
    water_one_percent_amount: float | None
    year: int


class FundingOut(Schema):
    total: float
    water_one_percent_total: float
    funder_count: int
    by_year: dict[int, float]
    lines: list[FundingLineOut]


class PartnershipOut(Schema):
    id: int
    title: str
    form: str
    status: str
    status_outdated: bool = Field(
        description="The status says active or planned though the end date has passed: to check."
    )
    publication_state: str
    signature_year: int | None
    signature_date: datetime.date | None
    start_year: int | None
    end_date: datetime.date | None
    duration_months: int | None
    is_triennial: bool
    themes: list[ThemeOut]
    sdgs: list[int]
    countries: list[str]
    participants: list[ParticipantOut]
    funding: FundingOut
    url: str


class PartnershipList(Schema):
    count: int
    results: list[PartnershipOut]


class SearchIn(PageIn):
    """The parameters of the atlas search, as on /recherche/ (facets may repeat)."""

    q: str | None = Field(
        None, max_length=200, description="Words, all required; accents and endings folded."
    )
    portee: list[str] = Field(
        default_factory=list,
        description="`internationale` or `nationale` (between French authorities only); both or none: all.",
    )
    pays: list[str] = Field(default_factory=list, description="Partner countries (ISO alpha-2).")
    zone: list[str] = Field(default_factory=list, description="World regions of the partners.")
    region: list[str] = Field(default_factory=list, description="French régions (INSEE codes).")
    departement: list[str] = Field(default_factory=list, description="French départements (codes).")
    theme: list[str] = Field(default_factory=list, description="Themes, any level (codes).")
    forme: list[str] = Field(default_factory=list, description="Forms (twinning, agreement…).")
    etat: list[str] = Field(default_factory=list, description="Statuses.")
    acteur: list[str] = Field(default_factory=list, description="Kinds of participant.")
    odd: list[str] = Field(default_factory=list, description="Sustainable development goals (1–17).")
    financement: list[str] = Field(default_factory=list, description="`oui` or `non`: funding declared.")
    debut_min: int | None = Field(None, description="First year at least.")
    debut_max: int | None = Field(None, description="First year at most.")
    territoire: int | None = Field(None, description="A French authority's id: it and its territory.")
    organisation: str | None = Field(None, description="An organisation's id or name.")
    country: str | None = Field(None, description="Older name of `pays` (one country).")
    du: int | None = Field(None, description="Active between `du`…")
    au: int | None = Field(None, description="…and `au`.")
    actif: int | None = Field(None, description="Active in this year.")
    fin: int | None = Field(None, description="Ended in this year.")
    finance_en: int | None = Field(None, description="Funded in this year.")
    financeur: str | None = Field(None, max_length=300, description="A funder's name.")
    france: str | None = Field(None, description="`1`: with a French participant.")
    sans_annee: str | None = Field(None, description="`1`: with no start nor signature year.")
    tri: str | None = Field(None, description="`pertinence`, `debut` or `titre`.")
    cursor: str | None = Field(None, alias="curseur", max_length=2000, description="From `next`.")
    facettes: bool = Field(True, description="`false`: without facet counts (faster).")


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool
    level: int


class FacetOut(Schema):
    name: str
    label: str
    values: list[FacetValueOut]


class SearchOut(PartnershipList):
    facets: list[FacetOut]
    next: str | None = Field(description="The cursor of the next page (`curseur=`), or null at the end.")


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country_iso2: str
    insee_code: str | None
    seat_code: str | None = None  # an actor's seat: the INSEE code of its commune
    siren: str | None
    geonames_id: int | None
    wikidata_id: str | None
    population: int | None
    latitude: float | None
    longitude: float | None
    parent_id: int | None
    website: str | None
    url: str


class OrganisationDetailOut(OrganisationOut):
    alternate_names: list[str]
    networks: list[str]
    partnership_ids: list[int]


class OrganisationList(Schema):
    count: int
    results: list[OrganisationOut]


class ErrorOut(Schema):
    detail: str
