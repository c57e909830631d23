"""The span of years the atlas accepts, with its validator."""

import datetime

from django.core.exceptions import ValidationError

MIN_YEAR = 1900
# Database constraints need a fixed bound; model validation applies the moving one.
DB_MAX_YEAR = 2100


def max_year() -> int:
    """Return the last year accepted: five years from today (agreements signed ahead)."""
    return datetime.date.today().year + 5


def validate_year(value: int | None) -> None:
    """Reject a year outside 1900..today+5, naming the value and the span."""
    if value is None:
        return
    if not MIN_YEAR <= value <= max_year():
        raise ValidationError(
            "L'année %(value)s est hors de la période admise (%(min)s à %(max)s).",
            code="year_out_of_range",
            params={"value": value, "min": MIN_YEAR, "max": max_year()},
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)
