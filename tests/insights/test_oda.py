"""The yearly development-aid (APD) declaration help: amounts per partner country and year."""

from decimal import Decimal

import pytest

from coopatlas.atlas.models import Organisation, Partnership
from coopatlas.atlas.services import FundingSpec, funding_line_add
from coopatlas.insights import oda as declaration
from coopatlas.insights.dashboard import scope_from
from coopatlas.places import oda as dac
from coopatlas.places.models import Country
from tests.atlas.factories import foreign_town, twinning

pytestmark = pytest.mark.django_db


def clermont_scope() -> "declaration.Declaration":
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    query, _params = scope_from(_params_of(territoire=clermont.pk))
    return declaration.build(query.filtered(Partnership.objects.published(), text=False))


def _params_of(**values):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key] = str(value)
    return data


def test_dac_list_follows_graduations_year_by_year():
    """The DAC list has its years: Antigua-and-Barbuda counts for 2021 flows, not for 2022 ones;
    Benin always; Germany never; a year after the last edition held is marked provisional."""
    assert dac.edition(2021).eligible("AG") and not dac.edition(2022).eligible("AG")
    assert dac.edition(2019).eligible("CK") and not dac.edition(2020).eligible("CK")
    assert all(dac.edition(year).eligible("BJ") for year in range(2018, 2026))
    assert not any(dac.edition(year).eligible("DE") for year in range(2018, 2026))
    assert len(dac.LIST_2018) == 143
    assert not dac.edition(2024).provisional and dac.edition(2026).provisional


def test_clermont_network_totals_and_what_cannot_be_attributed(demo_atlas):
    """Clermont-Ferrand's network of Michelin cities: 473,397 € for 2020 and 906,997 € for 2021;
    its partners are in 18 countries and no line says which one, so every line is set apart as
    not attributed, with that reason."""
    result = clermont_scope()
    assert [s.year for s in result.years] == [2020, 2021]
    assert result.year(2020).total.total == Decimal("473397")
    assert result.year(2021).total.total == Decimal("906997")
    assert result.year(2020).unattributed.total == Decimal("473397")
    assert result.rows == []
    assert len(result.unattributed) == 29
    item = result.unattributed[0]
    assert "18 pays partenaires" in item.reason and "Allemagne" in item.countries


def test_lines_go_to_the_country_they_name_or_the_only_partner_country(demo_atlas):
    """A twinning with one foreign country gives its lines to that country; a line of the
    network that names its recipient country counts there; a country off the DAC list (Germany)
    is set apart as not declarable; the 1 % water share stays apart."""
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    oyem = Organisation.objects.get(name="Oyem")  # Gabon, on the DAC list
    benin_town = foreign_town("Abomey", "BJ")
    twinning_bj = twinning(clermont, benin_town, year=2005)
    funding_line_add(
        partnership=twinning_bj,
        spec=FundingSpec(
            amount=Decimal("12000"),
            year=2021,
            funder=clermont,
            water_one_percent_amount=Decimal("8000"),
        ),
    )
    german = twinning(clermont, foreign_town("Regensburg", "DE"), year=1969)
    funding_line_add(partnership=german, spec=FundingSpec(amount=Decimal("3000"), year=2021, funder=clermont))
    network = Partnership.objects.get(funding_lines__amount=Decimal("500928"))
    funding_line_add(
        partnership=network,
        spec=FundingSpec(amount=Decimal("1000"), year=2021, funder=clermont, recipient_country=oyem.country),
    )
    result = clermont_scope()
    rows = {(row.year, row.iso2): row for row in result.rows}
    assert rows[(2021, "BJ")].amounts.total == Decimal("12000")
    assert rows[(2021, "BJ")].amounts.water == Decimal("8000")
    assert rows[(2021, "BJ")].amounts.general == Decimal("4000")
    assert rows[(2021, "GA")].amounts.total == Decimal("1000") and rows[(2021, "GA")].eligible
    assert not rows[(2021, "DE")].eligible
    year = result.year(2021)
    assert year.total.total == Decimal("906997") + 16000
    assert year.declarable.total == Decimal("13000")
    assert year.not_eligible.total == Decimal("3000")
    assert year.unattributed.total == Decimal("906997")
    assert year.declarable.water == Decimal("8000")


def test_declaration_table_has_one_row_per_country_and_one_for_the_unattributed(demo_atlas):
    """The spreadsheet's rows: each year's countries, then « Non attribué à un pays »."""
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    bj = twinning(clermont, foreign_town("Abomey", "BJ"), year=2005)
    funding_line_add(partnership=bj, spec=FundingSpec(amount=Decimal("500"), year=2020, funder=clermont))
    header, rows = declaration.table(clermont_scope())
    assert header[1] == "Pays" and header[4] == "Montant total (€)"
    assert [r[:2] for r in rows] == [
        [2020, "Bénin"],
        [2020, "Non attribué à un pays"],
        [2021, "Non attribué à un pays"],
    ]
    assert rows[1][4] == Decimal("473397") and rows[2][4] == Decimal("906997")


def test_years_are_read_from_single_years_and_spans():
    """`annee=2021`, `annee=2019-2020` are years; anything else is refused and named."""
    assert declaration.parse_years(["2021", "2019-2020"]) == ([2019, 2020, 2021], [])
    assert declaration.parse_years(["20x1", "2022-2020", "1800"]) == ([], ["20x1", "2022-2020", "1800"])


def test_draft_funding_is_left_out_of_a_public_declaration(demo_atlas):
    """A draft's lines are not in the declaration of a visitor's scope (published records)."""
    clermont = Organisation.objects.get(name="Clermont-Ferrand")
    draft = twinning(clermont, foreign_town("Abomey", "BJ"), year=2005, publication_state="draft")
    funding_line_add(partnership=draft, spec=FundingSpec(amount=Decimal("999"), year=2021, funder=clermont))
    assert clermont_scope().year(2021).total.total == Decimal("906997")
    assert Country.objects.filter(iso2="BJ").exists()
