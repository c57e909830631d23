"""Widgets for an authority's own website: its published partners as a list and a small map, in a
page that any site may frame (`/widgets/<id>/`), a script that inserts that frame (`<id>.js`), the
stylesheet of its colours (`theme.css`), and the page that gives the code to copy.

Only widget routes may be framed by other sites (`frame-ancestors` from
COOPATLAS_WIDGET_FRAME_ANCESTORS, no X-Frame-Options); every other page keeps `'none'` and DENY.
A widget shows published partnerships only, whoever asks (a signed-in editor sees what the public
sees), reads no session and sets no cookie, so that its answer may be cached by anyone:
`Cache-Control: public` and an ETag keyed by the search index's version (moved by every write
that changes what a partnership shows). Its rows are remembered under that version too.

Theme values come from the query string and are validated here: a value that is not what it
should be (a colour not in hex, a language we do not speak) gets the default, and only the
validated values are ever written back into a page, a stylesheet or a script.
"""

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from coopatlas.atlas.choices import FRENCH_AUTHORITY_KINDS, ParticipationRole, PartnershipForm
from coopatlas.atlas.models import Organisation, Participation, Partnership
from coopatlas.core.i18n import sort_key
from coopatlas.core.text import strip_accents
from coopatlas.places.models import Country
from coopatlas.search.index import version
from coopatlas.search.memo import remembered
from coopatlas.search.signals import apply_pending
from coopatlas.web.typography import french_typography

# Rows listed by a widget; an authority with more (a region) links to its page for the rest.
WIDGET_ROWS = 200  # as an organisation's page (web.views.PARTNERS_SHOWN)
DEFAULT_ACCENT = "1d3f8f"  # the atlas's blue
DEFAULT_BACKGROUND = "ffffff"
LANGUAGES = ("fr", "en")
VIEWS = ("les-deux", "liste", "carte")
# The frame's height in pixels by view, normal and compact (the script and the snippets use it).
HEIGHTS = {"les-deux": (520, 360), "liste": (400, 260), "carte": (360, 240)}
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@dataclass(frozen=True)
class WidgetOptions:
    """A widget's validated theme: colours as 6 lowercase hex digits, a language, a view."""

    accent: str = DEFAULT_ACCENT
    background: str = DEFAULT_BACKGROUND
    language: str = "fr"
    view: str = "les-deux"
    compact: bool = False

    @classmethod
    def from_query(cls, params: QueryDict) -> "WidgetOptions":
        """Read the options from a query string; each bad or missing value gets its default."""
        return cls(
            accent=hex_colour(params.get("couleur"), DEFAULT_ACCENT),
            background=hex_colour(params.get("fond"), DEFAULT_BACKGROUND),
            language=_choice(params.get("langue"), LANGUAGES),
            view=_choice(params.get("vue"), VIEWS),
            compact=params.get("compact", "") in ("1", "oui", "on", "true"),
        )

    def as_params(self) -> list[tuple[str, str]]:
        """Return the query parameters that differ from the defaults (the shortest address)."""
        default = WidgetOptions()
        params = [
            ("couleur", self.accent, default.accent),
            ("fond", self.background, default.background),
            ("langue", self.language, default.language),
            ("vue", self.view, default.view),
            ("compact", "1" if self.compact else "", ""),
        ]
        return [(name, value) for name, value, usual in params if value != usual]

    def query(self) -> str:
        """Return the query string of these options, with its "?" (empty for the defaults)."""
        params = self.as_params()
        return f"?{urlencode(params)}" if params else ""

    @property
    def height(self) -> int:
        return HEIGHTS[self.view][1 if self.compact else 0]

    @property
    def shows_list(self) -> bool:
        return self.view in ("les-deux", "liste")

    @property
    def shows_map(self) -> bool:
        return self.view in ("les-deux", "carte")


def hex_colour(value: str | None, default: str) -> str:
    """Return `value` as 6 lowercase hex digits ("1d3f8f", "#1D3F8F", "fff"), else `default`."""
    match = _HEX.fullmatch((value or "").strip())
    if not match:
        return default
    digits = match.group(1).lower()
    return "".join(d * 2 for d in digits) if len(digits) == 3 else digits


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    value = (value or "").strip().lower()
    return value if value in allowed else allowed[0]


def _luminance(hex6: str) -> float:
    """Return the relative luminance of a colour (WCAG 2)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex6[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def theme_css(options: WidgetOptions) -> str:
    """Return the stylesheet of a theme: custom properties of validated hex digits only. The text
    is dark on a light background and light on a dark one."""
    dark = _luminance(options.background) < 0.4
    ink, muted, line = ("f4f4f4", "c9c9c9", "5a5a5a") if dark else ("1e1e1e", "595959", "dcdcdc")
    return (
        f":root {{ --accent: #{options.accent}; --bg: #{options.background}; "
        f"--ink: #{ink}; --muted: #{muted}; --line: #{line}; }}\n"
    )


# ---------------------------------------------------------------------------------------------
# What a widget shows


# Partners' names come back at every new version of the index: their collation keys are kept.
_name_key = functools.lru_cache(maxsize=50_000)(sort_key)


def _partner_roles(organisation_kind: str) -> tuple[str, ...]:
    """The roles of the partners of an organisation of this kind (as on its page)."""
    if organisation_kind in FRENCH_AUTHORITY_KINDS:
        return (ParticipationRole.FOREIGN_AUTHORITY,)
    return (ParticipationRole.FRENCH_AUTHORITY,)


FORM_ORDER = {form.value: position for position, form in enumerate(PartnershipForm)}


def widget_content(pk: int) -> dict | None:
    """Return what the widget of organisation `pk` shows, independent of the language: the
    organisation, and one row per partner of each of its published partnerships (twinnings first,
    then the other forms; by year, undated last); None when the organisation is not public.

    A partnership's partners are the authorities on the other side (foreign ones for a French
    authority); failing those, its other French authorities (a domestic twinning); failing those,
    its other participants. No contact, no person: organisations, countries, years and links."""
    organisation = (
        Organisation.objects.filter(pk=pk).values("pk", "name", "kind", "latitude", "longitude").first()
    )
    if organisation is None:
        return None
    mine = Partnership.objects.published().filter(participations__organisation_id=pk).values("pk")
    partnerships = {
        p["pk"]: p
        for p in Partnership.objects.filter(pk__in=mine)
        .order_by()
        .values("pk", "form", "start_year", "signature_year")
    }
    # An organisation in a published partnership is public; another may be (an authority of the
    # official geography): asked only then, the filter being costly.
    if not partnerships and not Organisation.objects.public().filter(pk=pk).exists():
        return None
    # Three plain reads rather than one join: over a large atlas SQLite planned the join from the
    # countries' side (50 s for an authority of 1,100 partnerships).
    participants = list(
        Participation.objects.filter(partnership_id__in=mine)
        .exclude(organisation_id=pk)
        .order_by()
        .values_list("partnership_id", "role", "organisation_id")
    )
    organisations = {
        o[0]: o
        for o in Organisation.objects.filter(pk__in={p[2] for p in participants})
        .order_by()
        .values_list("pk", "name", "country_id", "latitude", "longitude")
    }
    countries = {c[0]: c for c in Country.objects.order_by().values_list("iso2", "name_fr", "name_en")}
    others: dict[int, list[dict]] = {}
    for partnership_pk, role, organisation_pk in participants:
        _pk, name, country, latitude, longitude = organisations[organisation_pk]
        others.setdefault(partnership_pk, []).append(
            {
                "role": role,
                "organisation_id": organisation_pk,
                "organisation__name": name,
                "organisation__country_id": country,
                "organisation__country__name_fr": countries[country][1],
                "organisation__country__name_en": countries[country][2],
                "organisation__latitude": latitude,
                "organisation__longitude": longitude,
            }
        )
    roles = _partner_roles(organisation["kind"])
    rows = []
    for partnership_pk, participants in others.items():
        chosen = (
            [p for p in participants if p["role"] in roles]
            or [p for p in participants if p["role"] == ParticipationRole.FRENCH_AUTHORITY]
            or participants
        )
        partnership = partnerships[partnership_pk]
        year = partnership["start_year"] or partnership["signature_year"]
        seen = set()
        for p in chosen:
            if p["organisation_id"] in seen:
                continue
            seen.add(p["organisation_id"])
            rows.append(
                {
                    "partnership": partnership_pk,
                    "form": partnership["form"],
                    "year": year,
                    "name": p["organisation__name"],
                    "country": p["organisation__country_id"],
                    "country_fr": p["organisation__country__name_fr"],
                    "country_en": p["organisation__country__name_en"],
                    "lat": p["organisation__latitude"],
                    "lng": p["organisation__longitude"],
                }
            )

    # By form (twinnings first), year (undated last), then name. The rows shown are picked with
    # a plain accent-free key, then put in dictionary order (core.i18n.sort_key, costly: about
    # 40 µs a name) — only those shown, not every row of an authority with a thousand.
    def order(row: dict) -> tuple:
        return (
            row["form"] != PartnershipForm.TWINNING,
            FORM_ORDER.get(row["form"], len(FORM_ORDER)),
            row["year"] is None,
            row["year"] or 0,
        )

    rows.sort(key=lambda r: (*order(r), strip_accents(r["name"]).casefold(), r["partnership"]))
    shown = rows[:WIDGET_ROWS]
    shown.sort(key=lambda r: (*order(r), _name_key(r["name"]), r["partnership"]))
    return {
        "pk": pk,
        "name": organisation["name"],
        "lat": organisation["latitude"],
        "lng": organisation["longitude"],
        "partnerships": len(partnerships),
        "rows_total": len(rows),
        "rows": shown,
    }


def public_name(pk: int) -> str:
    """Return the name of organisation `pk` if it is public (as `widget_content` decides), else ""."""
    name = Organisation.objects.filter(pk=pk).values_list("name", flat=True).first()
    if name is None:
        return ""
    published = Partnership.objects.published().filter(participations__organisation_id=pk)
    if published.exists() or Organisation.objects.public().filter(pk=pk).exists():
        return name
    return ""


def remembered_content(pk: int) -> dict | None:
    """Return `widget_content(pk)`, remembered under the index's version ({} stands for none)."""
    content = remembered("widget", pk, lambda: widget_content(pk) or {})
    return content or None


# ---------------------------------------------------------------------------------------------
# HTTP: caching, framing


def _max_age() -> int:
    return int(getattr(settings, "WIDGET_MAX_AGE", 300))


def _frame_ancestors() -> list[str]:
    return list(getattr(settings, "WIDGET_FRAME_ANCESTORS", ["*"]))


def _assets() -> tuple[str, ...]:
    """The addresses of the widget's static files (hashed: a new release changes them)."""
    return (
        static("web/widget.css"),
        static("web/map-base.js"),
        static("web/widget-map.js"),
        static("vendor/leaflet/leaflet.js"),
    )


def _etag(kind: str, pk: int | None, options: WidgetOptions) -> str:
    """Return the ETag of a widget answer: the index's version, what is asked and the addresses
    of the static files it names."""
    apply_pending()
    number, changed_at = version()
    key = repr((kind, pk, number, changed_at, options, _assets()))
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def _cacheable(response: HttpResponse, etag: str | None = None) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={_max_age()}"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    if etag is not None:
        response["ETag"] = etag
    return response


def _fresh(request: HttpRequest, etag: str) -> bool:
    """Tell whether the client's copy (If-None-Match) is the current one."""
    asked = request.headers.get("If-None-Match")
    if asked is None:
        return False
    return asked.strip() == "*" or etag in [tag.strip() for tag in asked.split(",")]


def framable(view):
    """Let any site (or those of COOPATLAS_WIDGET_FRAME_ANCESTORS) frame this view's answers:
    `frame-ancestors` replaced for it alone, and no X-Frame-Options."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # django-csp's decorator, applied per request: the setting is read when asked (tests
        # override it), not once at import.
        return csp_replace({"frame-ancestors": _frame_ancestors()})(view)(request, *args, **kwargs)

    wrapped.__doc__, wrapped.__name__ = view.__doc__, view.__name__
    return xframe_options_exempt(wrapped)


# ---------------------------------------------------------------------------------------------
# Views


@require_safe
@framable
def widget_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The widget: the organisation's published partners, as a list and/or a small map."""
    options = WidgetOptions.from_query(request.GET)
    etag = _etag("page", pk, options)
    if _fresh(request, etag):
        return _cacheable(HttpResponseNotModified(), etag)
    html = remembered("widget-page", (pk, options, _assets()), lambda: _render_page(pk, options))
    if not html:
        raise Http404("Organisation inconnue")
    response = HttpResponse(html)
    response.typography_done = True  # type: ignore[attr-defined]
    response["Content-Language"] = options.language
    return _cacheable(response, etag)


def _render_page(pk: int, options: WidgetOptions) -> str:
    """Return the widget's HTML ("" for an organisation that has none), in its language."""
    content = remembered_content(pk)
    if content is None:
        return ""
    with translation.override(options.language):
        html = render_to_string("web/widget.html", _page_context(content, options))
    # French spacing applied once here, kept with the page (the middleware then leaves it).
    return french_typography(html) if options.language == "fr" else html


def _page_context(content: dict, options: WidgetOptions) -> dict:
    english = options.language == "en"
    # Each row's line beside its name, written here once per row (a translated template tag per
    # row cost more than the rest of the page).
    since = _("depuis %(year)s")
    form_labels = {form.value: str(form.label).lower() for form in PartnershipForm}
    partnership_url = reverse("web:partnership", args=[0]).replace("/0/", "/{}/")
    twinnings, others = [], []
    for row in content["rows"]:
        twinning = row["form"] == PartnershipForm.TWINNING
        country = (row["country_en"] or row["country_fr"]) if english else row["country_fr"]
        meta = [country] + ([] if twinning else [form_labels.get(row["form"], "")])
        if row["year"]:
            meta.append(since % {"year": row["year"]})
        shown = {
            **row,
            "country_name": country,
            "meta": " · ".join(meta),
            "url": partnership_url.format(row["partnership"]),
        }
        (twinnings if twinning else others).append(shown)
    points = [
        {"name": r["name"], "country": r["country_name"], "url": r["url"], "lat": r["lat"], "lng": r["lng"]}
        for r in twinnings + others
        if r["lat"] is not None and r["lng"] is not None
    ]
    centre = (
        {"name": content["name"], "lat": content["lat"], "lng": content["lng"]}
        if content["lat"] is not None and content["lng"] is not None
        else None
    )
    return {
        "o": content,
        "options": options,
        "lang": options.language,
        "twinnings": twinnings,
        "others": others,
        "more": content["rows_total"] - len(content["rows"]),
        "organisation_url": reverse("web:organisation", args=[content["pk"]]),
        "theme_url": reverse("web:widget_theme") + options.query(),
        "map_data": {
            "centre": centre,
            "points": points,
            "labels": {
                "offline": _("Fond hors ligne (pays)"),
                "online": _("Fond OpenStreetMap (en ligne)"),
                "open": _("Voir le partenariat"),
            },
        },
    }


@require_safe
def widget_theme(request: HttpRequest) -> HttpResponse:
    """The stylesheet of a widget's colours (validated hex values only)."""
    options = WidgetOptions.from_query(request.GET)
    css = theme_css(options)
    etag = quote_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    if _fresh(request, etag):
        return _cacheable(HttpResponseNotModified(), etag)
    return _cacheable(HttpResponse(css, content_type="text/css; charset=utf-8"), etag)


@require_safe
def widget_script(request: HttpRequest, pk: int) -> HttpResponse:
    """A script that inserts the widget's frame right after its own script tag."""
    options = WidgetOptions.from_query(request.GET)
    etag = _etag("script", pk, options)
    if _fresh(request, etag):
        return _cacheable(HttpResponseNotModified(), etag)
    name = remembered("widget-name", pk, lambda: public_name(pk))
    if not name:
        raise Http404("Organisation inconnue")
    with translation.override(options.language):
        title = widget_title(name)
    script = render_to_string(
        "web/widget.js",
        {
            "frame": _script_literal(
                {
                    "src": request.build_absolute_uri(reverse("web:widget", args=[pk]) + options.query()),
                    "title": title,
                    "height": options.height,
                    "path": reverse("web:widget_script", args=[pk]),
                }
            )
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    return _cacheable(response, etag)


def _script_literal(value: object) -> str:
    """Return `value` as a JavaScript literal that cannot close a script element or a string."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def widget_title(name: str) -> str:
    """Return the frame's title (read by screen readers)."""
    return _("Partenaires internationaux de %(name)s") % {"name": name}


def widget_embed(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the code to copy into an authority's site (an iframe or a script), with the theme's
    options in a form that rewrites the code on the server, and a preview."""
    organisation = get_object_or_404(Organisation.objects.public().select_related("country"), pk=pk)
    options = WidgetOptions.from_query(request.GET)
    query = options.query()
    widget_url = request.build_absolute_uri(reverse("web:widget", args=[pk]) + query)
    script_url = request.build_absolute_uri(reverse("web:widget_script", args=[pk]) + query)
    title = widget_title(organisation.name)
    iframe = (
        f'<iframe src="{_attr(widget_url)}" title="{_attr(title)}" width="100%" '
        f'height="{options.height}" loading="lazy" style="border:0"></iframe>'
    )
    script = f'<script src="{_attr(script_url)}" async></script>'
    published = Partnership.objects.published().filter(participations__organisation=organisation).exists()
    return render(
        request,
        "web/widget_embed.html",
        {
            "o": organisation,
            "options": options,
            "iframe_code": iframe,
            "script_code": script,
            "preview_url": reverse("web:widget", args=[pk]) + query,
            "title": title,
            "published": published,
            "views": [
                ("les-deux", _("Liste et carte")),
                ("liste", _("Liste seule")),
                ("carte", _("Carte seule")),
            ],
            "languages": [("fr", "Français"), ("en", "English")],
        },
    )


def _attr(value: str) -> str:
    """Escape a value for a double-quoted HTML attribute of the code to copy."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
