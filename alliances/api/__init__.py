"""REST API v1: one router over the curated domain and its provenance (see DESIGN.md)."""
