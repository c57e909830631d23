"""French formatting of figures."""

from decimal import Decimal

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def format_euros(value: Decimal | float | int | None) -> str:
    """Format an amount the French way: 1 380 394 € (cents only when there are some)."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = divmod(abs(amount), 1)
    text = f"{int(whole):,}".replace(",", NNBSP)
    if cents:
        text += "," + f"{cents:.2f}"[2:]
    return ("-" if amount < 0 else "") + text + "\u00a0€"


def format_thousands(value: int | None) -> str:
    """Format an integer with French thousands separators."""
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", NNBSP)
