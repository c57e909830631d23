"""Cells that go to spreadsheets."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> object:
    """Return a text cell that a spreadsheet would run as a formula prefixed with an apostrophe
    (shown as typed, never evaluated); other values unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
