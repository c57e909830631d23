"""Ingestion: read existing data (atlas record sheets, spreadsheets, twin-town datasets, our own
JSON) and bring it into the atlas through one pipeline: read → map → validate → resolve places →
upsert → report."""
