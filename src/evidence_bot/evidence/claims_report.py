"""Claims written out: a terminal table, Markdown, JSON or CSV."""

import csv
import io
import json
from collections import Counter
from typing import Literal

from evidence_bot.evidence.claims import Claim, ClaimStatus
from evidence_bot.text.markdown_text import escaped

ORDER: tuple[ClaimStatus, ...] = ("supported", "differs", "related", "unsupported")
ClaimsFormat = Literal["table", "md", "json", "csv"]  # anything else is written as the table


def where(title: str, date: str | None, page: int | None) -> str:
    return ", ".join(filter(None, [title, date, f"page {page}" if page else None]))


def render_claims(claims: list[Claim], fmt: ClaimsFormat) -> str:
    claims = sorted(claims, key=lambda c: ORDER.index(c.status))
    if fmt == "json":
        return json.dumps([c.to_dict() for c in claims], indent=1, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["status", "claim", "figures", "source", "page", "best_evidence", "evidence_source",
                         "shared_figures", "similarity"])
        for c in claims:
            best = c.evidence[0] if c.evidence else None
            writer.writerow([c.status, c.text, ";".join(c.figures), c.title, c.page or "",
                             best.sentence if best else "", where(best.title, best.date, best.page) if best else "",
                             ";".join(best.shared_figures) if best else "", best.similarity if best else ""])
        return out.getvalue()
    counts = Counter(c.status for c in claims)
    summary = ", ".join(f"{counts[s]} {s}" for s in ORDER if counts[s])
    if fmt == "md":
        lines = ["# Claims against the evidence", "", f"{len(claims)} claims: {summary}.", ""]
        for c in claims:
            # what documents say is escaped: their HTML or Markdown must not become markup here
            lines.append(f"- **{c.status}**: {escaped(c.text)} — *{escaped(where(c.title, None, c.page))}*")
            lines += [f"  - {escaped(e.sentence)} — *{escaped(where(e.title, e.date, e.page))}*"
                      for e in c.evidence[:3]]
        return "\n".join(lines) + "\n"
    lines = [f"{len(claims)} claims: {summary}.", ""]
    for c in claims:
        lines.append(f"[{c.status.upper()}] {c.text}")
        lines.append(f"    claimed in: {where(c.title, None, c.page)}")
        for e in c.evidence[:3]:
            figures = f" (same figure: {', '.join(e.shared_figures)})" if e.shared_figures else ""
            lines.append(f"    elsewhere{figures}: {e.sentence}  [{where(e.title, e.date, e.page)}]")
    return "\n".join(lines) + "\n"
