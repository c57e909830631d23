"""The yearly development-aid declaration help: a scope's funding per partner country and year,
on a page, as a workbook ready to copy from, and as CSV for French Excel."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from coopatlas.exports.tabular import table_csv, tables_xlsx
from coopatlas.insights import oda
from coopatlas.web.dashboards import scope_context, scope_query
from coopatlas.web.search import visible_partnerships

# Lines not attributed shown on the page, gathered per partnership and year (the workbook has all).
UNATTRIBUTED_SHOWN = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _declaration(request: HttpRequest):
    query, scope = scope_query(request)
    years, refused = oda.parse_years(request.GET.getlist("annee"))
    scoped = query.filtered(visible_partnerships(request), text=False)
    return query, scope, years, refused, oda.build(scoped, years=years or None)


def _filename(years: list[int], extension: str) -> str:
    span = f"-{years[0]}" + (f"-{years[-1]}" if len(years) > 1 else "") if years else ""
    return f"declaration-apd{span}.{extension}"


def declaration_page(request: HttpRequest) -> HttpResponse:
    """Show the scope's amounts per partner country and year, what is not declarable, and why."""
    query, scope, years, refused, declaration = _declaration(request)
    context = scope_context(request, query, scope)
    year_query = urlencode([("annee", y) for y in years])
    groups = declaration.unattributed_by_partnership()
    context.update(
        {
            "declaration": declaration,
            "unattributed_groups": groups[:UNATTRIBUTED_SHOWN],
            "unattributed_hidden": max(len(groups) - UNATTRIBUTED_SHOWN, 0),
            "years_text": ", ".join(str(y) for y in years),
            "refused_years": refused,
            "download_query": "&".join(q for q in (context["scope_query"], year_query) if q),
        }
    )
    return render(request, "web/oda_declaration.html", context)


def declaration_file(request: HttpRequest, extension: str) -> HttpResponse:
    """Return the declaration as a workbook (per country; lines not attributed) or as CSV."""
    _query, _scope, years, _refused, declaration = _declaration(request)
    header, rows = oda.table(declaration)
    if extension == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        sheets = [(_("Par pays"), header, rows), (_("Non attribué"), *oda.unattributed_table(declaration))]
        response = HttpResponse(tables_xlsx(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(years, extension)}"'
    return response
