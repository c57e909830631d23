"""Signals the atlas sends when it writes partnerships in bulk, where no model signal fires (a
bulk update sends no post_save): the search index listens and reindexes them on commit."""

from django.dispatch import Signal

# Sent with `ids`, the partnerships whose rows changed, inside the writing transaction.
partnerships_changed = Signal()
