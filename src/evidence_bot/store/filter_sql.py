"""A query's filters (models.Filters) as one SQL condition over the catalog's documents table."""

from pathlib import Path

from evidence_bot.models import Filters


def as_path(key: str) -> str:
    """A document key as the absolute path the catalog stores; a key no file system accepts (a NUL byte,
    say) matches nothing rather than failing."""
    try:
        return str(Path(key).resolve())
    except (ValueError, OSError):
        return ""


def filter_clause(filters: Filters) -> tuple[str, list[str]]:
    """The WHERE condition a document passes when it meets every filter, and its parameters."""
    clauses, params = [], []
    for column in ("doc_type", "service", "publisher"):
        values = getattr(filters, column)
        if values:
            clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if filters.document:
        clauses.append(f"(doc_id IN ({', '.join('?' * len(filters.document))}) OR "
                       f"path IN ({', '.join('?' * len(filters.document))}))")
        params.extend(filters.document)
        params.extend(as_path(d) for d in filters.document)
    if filters.date_from:  # a month-only date counts from its first day
        clauses.append("date IS NOT NULL AND substr(date || '-01', 1, 10) >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append("date IS NOT NULL AND substr(date || '-01', 1, 10) <= ?")
        params.append(filters.date_to)
    if filters.access is not None:  # who may read it; a document without a level is internal
        clauses.append(f"COALESCE(access, 'internal') IN ({', '.join('?' * len(filters.access)) or 'NULL'})")
        params.extend(filters.access)
    return " AND ".join(clauses), params
