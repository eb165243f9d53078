// node --test web/test: what the chat page says (web/static/chat/text.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { citationText, filterDescription, highlightSegments, markerSegments, pageText, PARTIAL }
  from "../static/chat/text.js";

test("filterDescription names every filter, and nothing when none is set", () => {
  assert.equal(filterDescription({ doc_type: [], service: [] }), "");
  assert.equal(
    filterDescription({ doc_type: ["inspection_report", "minutes"], service: ["adults"], date_from: "2024-01-01" }),
    "Searching only: Inspection report or Minutes; service: adults; from 1 January 2024.");
});

test("markerSegments splits an answer at its citation markers", () => {
  assert.deepEqual(markerSegments("Waiting fell [1] and rose [12]."),
    [{ text: "Waiting fell " }, { marker: 1 }, { text: " and rose " }, { marker: 12 }, { text: "." }]);
  assert.deepEqual(markerSegments("[2]"), [{ marker: 2 }]);
  assert.deepEqual(markerSegments("no markers [a]"), [{ text: "no markers [a]" }]);
});

test("highlightSegments marks the quoted spans in order and drops overlapping or overlong ones", () => {
  const text = "One. Two. Three.";
  assert.deepEqual(highlightSegments(text, [[10, 16], [0, 4]]), [
    { text: "One.", quoted: true }, { text: " Two. ", quoted: false }, { text: "Three.", quoted: true }]);
  assert.deepEqual(highlightSegments(text, [[0, 9], [5, 9], [10, 99]]),
    [{ text: "One. Two.", quoted: true }, { text: " Three.", quoted: false }]);
  assert.deepEqual(highlightSegments(text, []), [{ text, quoted: false }]);
});

test("pageText gives one page, a range, or nothing", () => {
  assert.equal(pageText({ page: 3 }), "3");
  assert.equal(pageText({ page: 3, page_end: 3 }), "3");
  assert.equal(pageText({ page: 3, page_end: 5 }), "3 to 5");
  assert.equal(pageText({ page: null }), null);
});

test("citationText copies the question, the answer, whether it is partial and numbered sources", () => {
  const reply = { answer: "CQC rated it good [1].", partial: true, citations: [
    { n: 1, title: "CQC assessment", doc_type: "inspection_report", date: "2024-05-01", page: 2, url: "https://x.test/a" }] };
  const text = citationText("What did CQC say?", reply);
  assert.ok(text.startsWith("Q: What did CQC say?\n\nCQC rated it good [1].\n\n" + PARTIAL + "\n\nSources:\n[1] CQC assessment ("));
  assert.ok(text.endsWith(") https://x.test/a"));
  assert.ok(!citationText("Q", { ...reply, partial: false }).includes(PARTIAL));
});
