"""The gap view written out: a terminal table, Markdown, a standalone HTML page, CSV or JSON."""

import csv
import html
import io
import json
from typing import Literal

from evidence_bot.evidence.frameworks.findings import DIFFERS_FROM_FINDING, UNSUPPORTED
from evidence_bot.evidence.frameworks.gaps import GapReport, StatementGaps
from evidence_bot.models import PassageOrigin
from evidence_bot.text.markdown_text import escaped

GapsFormat = Literal["table", "md", "html", "csv", "json"]
FORMATS: tuple[GapsFormat, ...] = ("table", "md", "html", "csv", "json")
MARK = {"red": "RED", "amber": "AMBER", "green": "GREEN"}


def render_gaps(report: GapReport, fmt: GapsFormat) -> str:
    return {"table": as_table, "md": as_markdown, "html": as_html, "csv": as_csv, "json": as_json}[fmt](report)


def where(passage: PassageOrigin) -> str:
    return ", ".join(filter(None, [passage.title, passage.date, f"page {passage.page}" if passage.page else None]))


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def as_table(report: GapReport) -> str:
    lines = [f"{report.name}: evidence gaps as of {report.as_of}", f"Rule: {report.rule}", ""]
    theme = None
    for s in report.statements:
        if s.theme != theme:
            theme = s.theme
            lines.append(theme)
        lines.append(f"  {MARK[s.rating]:6} {s.name}: {counted(s.passages, 'passage')}, "
                     f"{counted(s.documents, 'document')}, "
                     f"latest {s.latest or '-'}; categories {', '.join(s.categories_present) or 'none'}")
        for note in s.gaps:
            lines.append(f"         - {note}")
        lines += [f"         inspector found: \"{q.text}\" ({where(q)})" for q in s.findings]
        lines += [f"         council claims ({c.status}): \"{c.claim.text}\" ({where(c.claim)})" for c in s.claims]
    return "\n".join(lines)


def as_markdown(report: GapReport) -> str:
    lines = [f"# {report.name}: evidence gaps", "", f"As of {report.as_of}. **Rule**: {report.rule}", "",
             "| theme | statement | rating | passages | documents | latest | categories present | gaps |",
             "|---|---|---|---|---|---|---|---|"]
    for s in report.statements:
        lines.append(f"| {s.theme} | {s.name} | {MARK[s.rating]} | {s.passages} | {s.documents} | {s.latest or '-'} | "
                     f"{', '.join(s.categories_present) or '-'} | {'; '.join(s.gaps) or '-'} |")
    for s in report.statements:
        lines += ["", f"## {s.name} ({MARK[s.rating]})", "", "**What the inspector found**", ""]
        # passages and titles come from documents: escaped, so their HTML or Markdown stays text
        lines += ([f"- {escaped(q.text)} — *{escaped(where(q))}*" for q in s.findings]
                  or ["None in the inspector's words."])
        lines += ["", "**What the council's documents claim**", ""]
        lines += ([f"- {escaped(c.claim.text)} — *{escaped(where(c.claim))}* ({c.status})" for c in s.claims]
                  or ["None."])
        lines += ["", "**Strongest passages**", ""]
        lines += [f"- {escaped(p.text[:300])} — *{escaped(where(p))}*" for p in s.strongest] or ["No evidence."]
    return "\n".join(lines) + "\n"


def as_html(report: GapReport) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(s.theme)}</td><td>{e(s.name)}</td><td class='{s.rating}'>{MARK[s.rating]}</td>"
        f"<td>{s.passages}</td><td>{s.documents}</td><td>{e(s.latest or '-')}</td>"
        f"<td>{e(', '.join(s.categories_present) or '-')}</td><td><ul>{''.join(f'<li>{e(g)}</li>' for g in s.gaps)}"
        f"</ul></td></tr>" for s in report.statements)
    details = "".join(statement_html(s) for s in report.statements)
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{e(report.name)}: evidence gaps"
            f"</title><style>body{{font-family:arial,sans-serif;max-width:70em;margin:2em auto}}"
            f"td,th{{border:1px solid "
            f"#b1b4b6;padding:.4em;vertical-align:top}}table{{border-collapse:collapse}}.red{{background:#f4cdc6}}"
            f".amber{{background:#fff2cc}}.green{{background:#cce2d8}}</style></head><body>"
            f"<h1>{e(report.name)}: evidence gaps</h1><p>As of {e(report.as_of)}. <strong>Rule:</strong> "
            f"{e(report.rule)}</p><table><thead><tr><th>Theme</th><th>Statement</th><th>Rating</th><th>Passages</th>"
            f"<th>Documents</th><th>Latest</th><th>Categories present</th><th>Gaps</th></tr></thead><tbody>{rows}"
            f"</tbody></table>{details}</body></html>\n")


def statement_html(s: StatementGaps) -> str:
    e = html.escape
    items = "".join(f"<li><blockquote>{e(p.text[:600])}</blockquote><p>{e(where(p))}</p></li>" for p in s.strongest)
    found = "".join(f"<li><blockquote>{e(q.text)}</blockquote><p>{e(where(q))}</p></li>" for q in s.findings)
    claimed = "".join(f"<li><blockquote>{e(c.claim.text)}</blockquote><p>{e(where(c.claim))}: {e(c.status)}</p></li>"
                      for c in s.claims)
    return (f"<h2>{e(s.name)} ({MARK[s.rating]})</h2><h3>What the inspector found</h3>"
            f"<ol>{found or '<li>None in the inspector&#39;s words.</li>'}</ol>"
            f"<h3>What the council's documents claim</h3>"
            f"<ol>{claimed or '<li>None.</li>'}</ol><h3>Strongest passages</h3>"
            f"<ol>{items or '<li>No evidence.</li>'}</ol>")


def as_csv(report: GapReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["framework", "theme", "statement", "rating", "passages", "documents", "latest",
                     "categories_present", "categories_missing", "corroborated", "gaps", "as_of", "findings",
                     "claims_shown", "claims_without_support", "claims_differing"])
    for s in report.statements:
        writer.writerow([report.framework, s.theme, s.name, s.rating, s.passages, s.documents, s.latest or "",
                         ";".join(s.categories_present), ";".join(s.categories_missing), s.corroborated,
                         "; ".join(s.gaps), report.as_of, len(s.findings), len(s.claims),
                         sum(c.status == UNSUPPORTED for c in s.claims),
                         sum(c.status == DIFFERS_FROM_FINDING for c in s.claims)])
    return out.getvalue()


def as_json(report: GapReport) -> str:
    return json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n"
