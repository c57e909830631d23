"""Insights over the atlas: dashboards of a scope, the network, suggestions, watch lists."""
