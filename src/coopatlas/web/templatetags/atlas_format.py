"""Template filters for French-formatted figures and stored web addresses."""

from django import template

from coopatlas.core.formatting import format_euros, format_thousands
from coopatlas.core.weblinks import safe_href

register = template.Library()
register.filter("euros", format_euros)
register.filter("thousands", format_thousands)
# A stored address as an href: empty unless http(s), for records stored before addresses were checked.
register.filter("safe_href", safe_href)
