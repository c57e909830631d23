"""Punctuation that differs between the languages: French puts a (non-breaking) space before a
colon or a semicolon, English does not. `{% translate "Pays" %}{% colon %} Allemagne`."""

from django import template

from coopatlas.core.i18n import english

register = template.Library()


@register.simple_tag
def colon() -> str:
    """Return ":" in English, a non-breaking space and ":" in French."""
    return ":" if english() else "\u00a0:"


@register.simple_tag
def semicolon() -> str:
    """Return ";" in English, a narrow non-breaking space and ";" in French."""
    return ";" if english() else "\u202f;"
