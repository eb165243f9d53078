// What the chat page says, as pure functions of the data (web/test/chat-text.test.js runs them under node --test;
// relative imports, so node finds them as the browser does).

import { formatDate, typeName, whereText } from "../format.js";

// Some of what was asked was found, not all (the answer's `partial`): said under the answer, read out with it,
// copied with it.
export const PARTIAL = "Only part of what you asked is in the evidence.";

// The filters in words, shown above the answer they limited ("" when nothing is filtered).
export function filterDescription(filters) {
  const parts = [];
  if (filters.doc_type.length) parts.push(filters.doc_type.map(typeName).join(" or "));
  if (filters.service.length) parts.push(`service: ${filters.service.join(" or ")}`);
  if (filters.date_from) parts.push(`from ${formatDate(filters.date_from)}`);
  if (filters.date_to) parts.push(`to ${formatDate(filters.date_to)}`);
  return parts.length ? `Searching only: ${parts.join("; ")}.` : "";
}

const MARKER = /\[(\d+)\]/g;

// A piece of answer text split at its citation markers: [{ text }, { marker: 1 }, { text }, ...]. Each piece the
// service streams ends at a marker, so a marker is never split between pieces.
export function markerSegments(text) {
  const segments = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index) });
    segments.push({ marker: Number(match[1]) });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

// A passage's text cut at the quoted spans: [{ text, quoted }]. Spans are sorted; one that overlaps an earlier
// span or runs past the text is left out rather than shown wrongly.
export function highlightSegments(text, highlights) {
  const segments = [];
  let last = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < last || end > text.length) continue;
    if (start > last) segments.push({ text: text.slice(last, start), quoted: false });
    segments.push({ text: text.slice(start, end), quoted: true });
    last = end;
  }
  if (last < text.length) segments.push({ text: text.slice(last), quoted: false });
  return segments;
}

// The page range of a passage in words, or null when it has none.
export function pageText(passage) {
  if (!passage.page) return null;
  return passage.page_end && passage.page_end !== passage.page ? `${passage.page} to ${passage.page_end}`
    : String(passage.page);
}

// The answer as copied for a council paper: the question, the answer, whether it is partial, its sources.
export function citationText(question, reply) {
  const lines = [`Q: ${question}`, "", reply.answer, ...(reply.partial ? ["", PARTIAL] : []), "", "Sources:"];
  for (const c of reply.citations) lines.push(`[${c.n}] ${c.title} (${whereText(c)})${c.url ? ` ${c.url}` : ""}`);
  return lines.join("\n");
}
