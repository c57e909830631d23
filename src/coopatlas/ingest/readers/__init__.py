"""One reader per kind of source; each yields (where, record) pairs for the pipeline."""
