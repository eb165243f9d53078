// How evidence is described on the pages: document types, dates, where a passage sits. Pure functions
// (web/test/format.test.js runs them under node --test).

export const DOC_TYPE_NAMES = {
  self_assessment: "Self-assessment", inspection_report: "Inspection report", minutes: "Minutes",
  action_plan: "Action plan", news: "News", other: "Other",
};

export function typeName(docType) { return DOC_TYPE_NAMES[docType] || docType || "Document"; }

// "2025-03-01" -> "1 March 2025", "2025-03" -> "March 2025" (UTC, so the day never moves).
export function formatDate(value) {
  if (!value) return null;
  const [year, month, day] = value.split("-").map(Number);
  const date = new Date(Date.UTC(year, (month || 1) - 1, day || 1));
  const options = { year: "numeric", month: "long", timeZone: "UTC" };
  if (day) options.day = "numeric";
  return date.toLocaleDateString("en-GB", options);
}

// A citation's place: type, date, page, section, and a warning when it was read from a scan.
export function whereText(c) {
  return [typeName(c.doc_type), formatDate(c.date), c.page ? `page ${c.page}` : null, c.section ? `section “${c.section}”` : null,
    c.ocr ? `read from a scan by OCR (confidence ${Math.round(100 * c.ocr_confidence)}%): check the original` : null]
    .filter(Boolean).join(", ");
}

// A document's address as a link only when it is http(s): a javascript: or data: address is never a link.
export function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch (error) {
    return null;
  }
}
