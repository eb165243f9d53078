// The source passage viewer: the cited passage with its quoted sentences highlighted, the passages around it
// and where it comes from. Focus returns to the link that opened it.

import { api, errorMessage } from "/static/auth.js";
import { $, announce, el } from "/static/dom.js";
import { formatDate, safeUrl, typeName } from "/static/format.js";
import { highlightSegments, pageText } from "/static/chat/text.js";

let returnFocus = null;

export async function openPassage(citation, opener) {
  returnFocus = opener;
  const viewer = $("viewer");
  let view;
  try {
    const response = await api(`/api/passages/${encodeURIComponent(citation.passage_id)}`);
    if (!response.ok) throw new Error(await errorMessage(response));
    view = await response.json();
  } catch (error) {
    announce(`Error: the passage could not be opened. ${error.message}`);
    return;
  }
  $("viewer-heading").textContent = `Source [${citation.n}]: ${citation.title}`;
  $("viewer-meta").replaceChildren(...metaRows(view));
  $("viewer-text").replaceChildren(
    ...view.before.map((p) => passageBlock(p, [], "eb-context")),
    passageBlock(view.passage, citation.highlights || [], "eb-cited"),
    ...view.after.map((p) => passageBlock(p, [], "eb-context")));
  const link = $("viewer-link");
  const url = safeUrl(view.document.url);
  link.hidden = !url;
  if (url) link.href = url;
  viewer.hidden = false;
  $("viewer-heading").focus();
  const mark = viewer.querySelector("mark");
  if (mark) mark.scrollIntoView({ block: "center" });
}

function metaRows(view) {
  const d = view.document;
  const rows = [["Type", typeName(d.doc_type)], ["Date", formatDate(d.date)], ["Page", pageText(view.passage)],
    ["Section", view.passage.section], ["Publisher", d.publisher]];
  return rows.filter(([, value]) => value).map(([key, value]) => el("div", { class: "govuk-summary-list__row" },
    el("dt", { class: "govuk-summary-list__key", text: key }),
    el("dd", { class: "govuk-summary-list__value", text: value })));
}

function passageBlock(passage, highlights, className) {
  const block = el("div", { class: `eb-passage ${className}` });
  if (className === "eb-context") block.append(el("span", { class: "govuk-visually-hidden", text: "Context: " }));
  for (const { text, quoted } of highlightSegments(passage.text, highlights)) {
    block.append(quoted ? el("mark", { class: "eb-highlight" },
      el("span", { class: "govuk-visually-hidden", text: "Quoted in the answer: " }), text) : text);
  }
  return block;
}

export function closeViewer() {
  $("viewer").hidden = true;
  if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
  else $("question").focus();
}
