"""Template filters for French-formatted figures."""

from django import template

from coopatlas.core.formatting import format_euros, format_thousands

register = template.Library()
register.filter("euros", format_euros)
register.filter("thousands", format_thousands)
