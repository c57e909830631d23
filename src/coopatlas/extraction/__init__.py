"""Extraction: read the text of a web page and propose the partnerships it states, each with its
evidence, for a person to accept, merge or reject."""
