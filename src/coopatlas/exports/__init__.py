"""Exports: any selection of the atlas out as CSV (French Excel or plain), XLSX, JSON (our
schema, re-importable), GeoJSON and IATI activity XML."""
