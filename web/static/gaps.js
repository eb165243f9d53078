// The evidence gap page: a grid of a framework's themes and statements coloured by RAG rating, each
// opening to its gaps and strongest passages. Document text goes into the page with textContent only.

import { api } from "/static/auth.js";
import { $, el, startPage } from "/static/dom.js";

startPage();

const RATING = {
  red: { label: "Red", tag: "govuk-tag--red" },
  amber: { label: "Amber", tag: "govuk-tag--yellow" },
  green: { label: "Green", tag: "govuk-tag--green" },
};
const CATEGORY_NAMES = {
  people: "people's experience", staff: "feedback from staff and leaders", partners: "feedback from partners",
  processes: "processes", outcomes: "outcomes (data)",
};

const categoryName = (id) => CATEGORY_NAMES[id] || id;

async function loadFrameworks() {
  const response = await api("/api/frameworks");
  const { frameworks } = await response.json();
  $("framework").replaceChildren(...frameworks.map((f) => el("option", { value: f.id, text: f.name })));
  const wanted = new URLSearchParams(window.location.search).get("framework");
  if (wanted && frameworks.some((f) => f.id === wanted)) $("framework").value = wanted;
}

async function showGaps(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ framework: $("framework").value });
  if ($("as-of").value) params.set("as_of", $("as-of").value);
  const grid = $("grid");
  grid.setAttribute("aria-busy", "true");
  const response = await api(`/api/gaps?${params}`);
  const body = await response.json();
  grid.setAttribute("aria-busy", "false");
  if (!response.ok) {
    grid.replaceChildren(el("p", { class: "govuk-error-message", text: body.detail || "The gaps could not be shown." }));
    return;
  }
  $("rule").replaceChildren(el("strong", { text: "How the rating is decided: " }), body.rule,
    el("br"), `Recency judged on ${body.as_of}.`);
  grid.replaceChildren(summary(body.statements), ...themes(body.statements));
}

function summary(statements) {
  const count = (rating) => statements.filter((s) => s.rating === rating).length;
  return el("p", { class: "govuk-body", id: "gap-summary",
    text: `${statements.length} statements: ${count("green")} green, ${count("amber")} amber, ${count("red")} red.` });
}

function themes(statements) {
  const order = [...new Set(statements.map((s) => s.theme))];
  return order.map((theme) => el("section", { class: "eb-theme", "aria-label": theme },
    el("h2", { class: "govuk-heading-m", text: theme }),
    el("ul", { class: "eb-statement-grid" }, ...statements.filter((s) => s.theme === theme).map(card))));
}

function card(statement) {
  const rating = RATING[statement.rating];
  return el("li", { class: `eb-statement eb-rating-${statement.rating}`, id: `statement-${statement.id}` },
    el("details", { class: "govuk-details eb-statement-details" },
      el("summary", { class: "govuk-details__summary" },
        el("span", { class: "govuk-details__summary-text", text: statement.name }),
        " ",
        el("strong", { class: `govuk-tag ${rating.tag}`, text: rating.label })),
      el("div", { class: "govuk-details__text" }, ...details(statement))),
    el("p", { class: "govuk-body-s eb-statement-counts",
      text: `${statement.passages} passage${statement.passages === 1 ? "" : "s"} from ${statement.documents} document${statement.documents === 1 ? "" : "s"}; `
        + `latest ${statement.latest || "undated"}` }));
}

function details(statement) {
  const rows = [
    ["Evidence present", statement.categories_present.map(categoryName).join(", ") || "none"],
    ["Evidence missing", statement.categories_missing.map(categoryName).join(", ") || "none"],
    ["Independent corroboration", statement.corroborated ? "yes" : "no: only the council's own claims"],
  ];
  const list = el("dl", { class: "govuk-summary-list govuk-summary-list--no-border eb-gap-facts" },
    ...rows.map(([key, value]) => el("div", { class: "govuk-summary-list__row" },
      el("dt", { class: "govuk-summary-list__key", text: key }),
      el("dd", { class: "govuk-summary-list__value", text: value }))));
  const gaps = statement.gaps.length
    ? el("ul", { class: "govuk-list govuk-list--bullet eb-gap-list" }, ...statement.gaps.map((g) => el("li", { text: g })))
    : el("p", { class: "govuk-body", text: "No gaps found by the rule." });
  const strongest = el("ol", { class: "govuk-list eb-strongest" }, ...statement.strongest.map(passageItem));
  return [list, el("h3", { class: "govuk-heading-s", text: "Gaps" }), gaps, sideBySide(statement),
    el("h3", { class: "govuk-heading-s", text: "Strongest passages" }),
    statement.strongest.length ? strongest : el("p", { class: "govuk-body", text: "None." })];
}

const CLAIM_STATUS = {
  "supported": { tag: "govuk-tag--green", label: "Supported independently" },
  "differs from the inspector's finding": { tag: "govuk-tag--red", label: "Differs from the inspector's finding" },
  "no independent support": { tag: "govuk-tag--grey", label: "No independent support" },
};

// What the inspector found beside what the council claims, each sentence quoted with where it comes from.
function sideBySide(statement) {
  const findings = statement.findings.length
    ? el("ol", { class: "govuk-list eb-findings" }, ...statement.findings.map((q) => el("li", {}, ...quoteOf(q))))
    : el("p", { class: "govuk-body", text: "No finding in the inspector's words is filed under this statement." });
  const claims = statement.claims.length
    ? el("ol", { class: "govuk-list eb-claims" }, ...statement.claims.map(claimItem))
    : el("p", { class: "govuk-body", text: "No claim in the council's own documents is filed under this statement." });
  return el("div", { class: "govuk-grid-row eb-side-by-side" },
    el("div", { class: "govuk-grid-column-one-half" },
      el("h3", { class: "govuk-heading-s", text: "What the inspector found" }), findings),
    el("div", { class: "govuk-grid-column-one-half" },
      el("h3", { class: "govuk-heading-s", text: "What the council's documents claim" }), claims));
}

function quoteOf(q) {
  const where = [q.title, q.date, q.page ? `page ${q.page}` : null, q.section ? `section “${q.section}”` : null]
    .filter(Boolean).join(" · ");
  return [el("blockquote", { class: "eb-quote", text: q.text }), el("p", { class: "govuk-body-s eb-source-where", text: where })];
}

function claimItem(check) {
  const status = CLAIM_STATUS[check.status] || { tag: "govuk-tag--grey", label: check.status };
  const against = check.against
    ? el("p", { class: "govuk-body-s eb-claim-against",
      text: `${check.status === "supported" ? "Backed by" : "The inspector found"}: “${check.against.text}” (${check.against.title})` })
    : null;
  return el("li", {}, ...quoteOf(check.claim), el("strong", { class: `govuk-tag ${status.tag}`, text: status.label }), against);
}

function passageItem(p) {
  const where = [p.title, p.date, p.page ? `page ${p.page}` : null, p.section ? `section “${p.section}”` : null,
    categoryName(p.category), p.independent ? "independent of the council" : "the council's own account"]
    .filter(Boolean).join(" · ");
  const text = p.text.length > 500 ? `${p.text.slice(0, 500)}…` : p.text;
  return el("li", {}, el("blockquote", { class: "eb-quote", text }), el("p", { class: "govuk-body-s eb-source-where", text: where }));
}

$("gaps-form").addEventListener("submit", showGaps);
loadFrameworks().then(() => showGaps());
