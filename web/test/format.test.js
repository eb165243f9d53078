// node --test web/test: the pages' pure functions.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatDate, safeUrl, typeName, whereText } from "../static/format.js";

test("dates read as a person writes them, whatever the time zone", () => {
  assert.equal(formatDate("2025-03-01"), "1 March 2025");
  assert.equal(formatDate("2025-12"), "December 2025");
  assert.equal(formatDate(null), null);
});

test("document types have their names, unknown ones pass through", () => {
  assert.equal(typeName("inspection_report"), "Inspection report");
  assert.equal(typeName("cabinet_paper"), "cabinet_paper");
  assert.equal(typeName(undefined), "Document");
});

test("a citation's place names type, date, page and section, and warns of OCR", () => {
  const c = { doc_type: "minutes", date: "2025-01-15", page: 4, section: "Item 5" };
  assert.equal(whereText(c), "Minutes, 15 January 2025, page 4, section “Item 5”");
  const scanned = { doc_type: "action_plan", page: 2, ocr: true, ocr_confidence: 0.914 };
  assert.match(whereText(scanned), /^Action plan, page 2, read from a scan by OCR \(confidence 91%\): check the original$/);
});

test("only http and https addresses become links", () => {
  assert.equal(safeUrl("https://www.cqc.org.uk/x"), "https://www.cqc.org.uk/x");
  assert.equal(safeUrl("javascript:alert(1)"), null);
  assert.equal(safeUrl("data:text/html,hi"), null);
  assert.equal(safeUrl("not a url"), null);
});
