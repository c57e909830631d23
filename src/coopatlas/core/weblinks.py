"""Web addresses that may be stored and shown as links: http and https only.

A stored address becomes an `href`; `javascript:`, `data:`, `vbscript:` and the like would run a
script when clicked, so every URL field and input path checks with `validate_web_url`, and pages
render stored addresses through `safe_href` (records written before the check may hold any)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")
_STRICT = URLValidator(schemes=list(WEB_SCHEMES))
REFUSED = _("Adresse refusée : « %(value)s » (seules les adresses http:// ou https:// sont admises).")


def validate_web_url(value: str) -> None:
    """Raise ValidationError, quoting the value, unless `value` is empty or an http(s) address."""
    if not value:
        return
    try:
        _STRICT(value)
    except ValidationError:
        shown = value if len(value) <= 200 else value[:200] + "…"
        raise ValidationError(REFUSED, code="web_url", params={"value": shown}) from None


_HAS_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.I)


def with_scheme(value: str) -> str:
    """`www.lyon.fr/jumelages` as `https://www.lyon.fr/jumelages` (spreadsheets often drop the
    scheme); an address with a scheme, whatever it is, is returned as it is, to be checked."""
    value = (value or "").strip()
    if not value or _HAS_SCHEME.match(value) or value.startswith("/"):
        return value
    return "https://" + value


def is_web_url(value: str) -> bool:
    """Whether `value` is a non-empty http(s) address."""
    if not value:
        return False
    try:
        _STRICT(value)
    except ValidationError:
        return False
    return True


def safe_href(value: object) -> str:
    """Return `value` when it is an http(s) address fit for an `href`, else an empty string."""
    text = "" if value is None else str(value)
    return text if is_web_url(text) else ""
