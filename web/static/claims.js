// The claims page: the self-assessment's checkable claims with what other documents say about each.
// Document text goes into the page with textContent only.

import { api } from "/static/auth.js";
import { $, el, startPage } from "/static/dom.js";

startPage();

const STATUS = {
  supported: { label: "Supported", tag: "govuk-tag--green", hint: "another document gives the same figure" },
  differs: { label: "Differs", tag: "govuk-tag--red", hint: "a close sentence elsewhere gives other figures" },
  related: { label: "Related", tag: "govuk-tag--blue", hint: "close in meaning, no figures to compare" },
  unsupported: { label: "Unsupported", tag: "govuk-tag--grey", hint: "nothing elsewhere comes close" },
};
let everything = { counts: {}, claims: [] };

const where = (title, date, page) => [title, date, page ? `page ${page}` : null].filter(Boolean).join(", ");

function filters() {
  $("status-filter").replaceChildren(...Object.entries(STATUS).map(([status, s]) => el("div", { class: "govuk-checkboxes__item" },
    el("input", { class: "govuk-checkboxes__input", id: `status-${status}`, type: "checkbox", value: status,
      checked: status !== "unsupported", onchange: render }),
    el("label", { class: "govuk-label govuk-checkboxes__label", for: `status-${status}`,
      text: `${s.label} (${everything.counts[status] || 0}): ${s.hint}` }))));
}

function render() {
  const wanted = new Set([...document.querySelectorAll("#status-filter input:checked")].map((box) => box.value));
  const order = Object.keys(STATUS);
  const shown = everything.claims.filter((c) => wanted.has(c.status))
    .sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));  // stable: document order within a status
  $("claims-summary").textContent = `Showing ${shown.length} of ${everything.claims.length} claims.`;
  $("claims").replaceChildren(...shown.map(claimItem));
}

function claimItem(claim) {
  const s = STATUS[claim.status];
  return el("li", { class: "eb-claim" },
    el("p", { class: "govuk-body" }, el("strong", { class: `govuk-tag ${s.tag}`, text: s.label }), " ", claim.text),
    el("p", { class: "govuk-body-s eb-source-where", text: `Claimed in ${where(claim.title, null, claim.page)}` }),
    claim.evidence.length ? el("details", { class: "govuk-details" },
      el("summary", { class: "govuk-details__summary" },
        el("span", { class: "govuk-details__summary-text", text: `What other documents say (${claim.evidence.length})` })),
      el("div", { class: "govuk-details__text" }, el("ol", { class: "govuk-list" }, ...claim.evidence.map((e) =>
        el("li", {}, el("blockquote", { class: "eb-quote", text: e.sentence }),
          el("p", { class: "govuk-body-s eb-source-where",
            text: where(e.title, e.date, e.page) + (e.shared_figures.length ? ` · same figure: ${e.shared_figures.join(", ")}` : "") })))))) : null);
}

async function load() {
  const response = await api("/api/claims");
  const body = await response.json();
  if (!response.ok) {
    $("claims-summary").textContent = body.detail || "The claims could not be shown.";
    return;
  }
  everything = body;
  filters();
  render();
}

load();
