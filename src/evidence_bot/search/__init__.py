"""Retrieval for one reader: hybrid ranking, corpus statistics, near-duplicates."""
