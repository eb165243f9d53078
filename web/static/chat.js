// The chat page: asks /api/chat/stream, shows the answer as it arrives with numbered citation links,
// lists the sources, opens a source passage with its quoted sentence highlighted.
// Every piece of document text goes into the page with textContent, never as markup.

import { api } from "/static/auth.js";
import { $, el, startPage } from "/static/dom.js";
import { formatDate, safeUrl, typeName, whereText } from "/static/format.js";
import { events } from "/static/sse.js";

startPage();

const state = { history: [], conversationId: null, busy: false, turns: 0, returnFocus: null };

function announce(message) {
  $("status").textContent = "";
  window.setTimeout(() => { $("status").textContent = message; }, 50);
}

// ---- filters ----

async function loadFilters() {
  try {
    const response = await api("/api/documents");
    if (!response.ok) return;
    const { documents } = await response.json();
    fillCheckboxes($("filter-doc-type"), documents.map((d) => d.doc_type), typeName);
    fillCheckboxes($("filter-service"), documents.map((d) => d.service), (s) => s.charAt(0).toUpperCase() + s.slice(1));
  } catch (error) { /* the filters stay empty; asking still works */ }
}

function fillCheckboxes(container, values, label) {
  const distinct = [...new Set(values.filter(Boolean))].sort();
  container.replaceChildren(...distinct.map((value, i) => {
    const id = `${container.id}-${i}`;
    return el("div", { class: "govuk-checkboxes__item" },
      el("input", { class: "govuk-checkboxes__input", id, type: "checkbox", value, onchange: summariseFilters }),
      el("label", { class: "govuk-label govuk-checkboxes__label", for: id, text: label(value) }));
  }));
  if (!distinct.length) container.append(el("p", { class: "govuk-body-s", text: "None recorded." }));
}

function currentFilters() {
  const ticked = (id) => [...$(id).querySelectorAll("input:checked")].map((box) => box.value);
  const filters = { doc_type: ticked("filter-doc-type"), service: ticked("filter-service") };
  if ($("date-from").value) filters.date_from = $("date-from").value;
  if ($("date-to").value) filters.date_to = $("date-to").value;
  return filters;
}

function filterDescription(filters) {
  const parts = [];
  if (filters.doc_type.length) parts.push(filters.doc_type.map(typeName).join(" or "));
  if (filters.service.length) parts.push(`service: ${filters.service.join(" or ")}`);
  if (filters.date_from) parts.push(`from ${formatDate(filters.date_from)}`);
  if (filters.date_to) parts.push(`to ${formatDate(filters.date_to)}`);
  return parts.length ? `Searching only: ${parts.join("; ")}.` : "";
}

function summariseFilters() { $("filter-summary").textContent = filterDescription(currentFilters()); }

function clearFilters() {
  document.querySelectorAll("#filters input[type=checkbox]").forEach((box) => { box.checked = false; });
  $("date-from").value = "";
  $("date-to").value = "";
  summariseFilters();
  announce("Filters cleared.");
}

// ---- asking ----

function showQuestionError(message) {
  const group = $("question-group");
  const error = $("question-error");
  group.classList.toggle("govuk-form-group--error", Boolean(message));
  $("question").classList.toggle("govuk-textarea--error", Boolean(message));
  error.hidden = !message;
  error.replaceChildren(el("span", { class: "govuk-visually-hidden", text: "Error: " }), message || "");
  $("question").setAttribute("aria-describedby", message ? "question-hint question-error" : "question-hint");
}

function datesError(filters) {
  const message = filters.date_from && filters.date_to && filters.date_from > filters.date_to
    ? "The ‘From’ date must be on or before the ‘To’ date" : "";
  $("dates-error").hidden = !message;
  $("dates-error").textContent = message;
  $("dates-group").classList.toggle("govuk-form-group--error", Boolean(message));
  if (message) { $("filters").open = true; $("date-from").focus(); }
  return message;
}

async function ask(event) {
  event.preventDefault();
  if (state.busy) return;
  const question = $("question").value.trim();
  if (!question) {
    showQuestionError("Enter a question");
    $("question").focus();
    return;
  }
  const filters = currentFilters();
  if (datesError(filters)) return;
  showQuestionError("");
  state.busy = true;
  $("ask").disabled = true;
  const turn = addTurn(question, filterDescription(filters));
  $("question").value = "";
  try {
    const response = await api("/api/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, history: state.history, filters, conversation_id: state.conversationId }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    await readEvents(response, turn);
    state.history.push({ role: "user", content: question }, { role: "assistant", content: turn.answerText });
  } catch (error) {
    showTurnError(turn, error.message || "The service did not answer. Try again.");
  } finally {
    state.busy = false;
    $("ask").disabled = false;
  }
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.detail || `The service answered ${response.status}.`;
  } catch (error) {
    return `The service answered ${response.status}.`;
  }
}

async function readEvents(response, turn) {
  for await (const event of events(response.body)) handleEvent(event, turn);
  if (!turn.done) throw new Error("The answer was cut off. Try again.");
}

function handleEvent({ name, data }, turn) {
  if (name === "citations") turn.citations = data;
  else if (name === "delta") appendAnswer(turn, data.text);
  else if (name === "reset") resetAnswer(turn);
  else if (name === "done") finishTurn(turn, data);
}

// The llm mode fell back: what was shown (verified sentences) gives way to the extractive answer, which follows.
// The reason is shown with the finished answer (verificationNotes).
function resetAnswer(turn) {
  turn.paragraph = null;
  turn.answerText = "";
  turn.answer.replaceChildren(el("p", { class: "govuk-body eb-pending", text: "Checking the evidence…" }));
}

// ---- one question and its answer ----

function addTurn(question, filterText) {
  state.turns += 1;
  const number = state.turns;
  const answer = el("div", { class: "eb-answer", "aria-live": "polite", "aria-busy": "true" },
    el("p", { class: "govuk-body eb-pending", text: "Searching the evidence…" }));
  const item = el("li", { class: "eb-turn", id: `turn-${number}` },
    el("h3", { class: "govuk-heading-s eb-question" },
      el("span", { class: "govuk-visually-hidden", text: "Question: " }), question),
    filterText ? el("p", { class: "govuk-body-s eb-filter-note", text: filterText }) : null,
    answer);
  $("turns").append(item);
  item.scrollIntoView({ block: "nearest" });
  return { number, item, answer, question, paragraph: null, citations: [], answerText: "", done: false };
}

const MARKER = /\[(\d+)\]/g;

function appendAnswer(turn, text) {
  if (!turn.paragraph) {
    turn.paragraph = el("p", { class: "govuk-body eb-answer-text" });
    turn.answer.replaceChildren(turn.paragraph);
  }
  turn.answerText += text;
  // Each piece ends at a citation marker, so a marker is never split between pieces.
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    turn.paragraph.append(text.slice(last, match.index));
    turn.paragraph.append(citationLink(turn, Number(match[1])));
    last = match.index + match[0].length;
  }
  turn.paragraph.append(text.slice(last));
}

function citationLink(turn, n) {
  const citation = turn.citations.find((c) => c.n === n);
  if (!citation) return `[${n}]`;
  return el("a", {
    class: "govuk-link eb-marker", href: `#source-${turn.number}-${n}`,
    "aria-label": `Source ${n}: ${citation.title}`, text: `[${n}]`,
    onclick: (event) => { event.preventDefault(); openPassage(citation, event.currentTarget); },
  });
}

function finishTurn(turn, reply) {
  turn.done = true;
  state.conversationId = reply.conversation_id;
  turn.reply = reply;
  turn.answer.setAttribute("aria-busy", "false");
  if (reply.abstained) {
    turn.answer.replaceChildren(el("div", { class: "govuk-inset-text eb-abstained" },
      el("strong", { class: "govuk-tag govuk-tag--yellow", text: "Not answered" }),
      el("p", { class: "govuk-body", text: "The evidence does not answer this." }),
      el("p", { class: "govuk-body-s", text: "Nothing in the documents held here answers that question well enough "
        + "to quote. Try other words, remove filters, or check whether the evidence has been added." })));
    announce("The evidence does not answer this.");
  } else {
    if (reply.partial) turn.answer.append(el("p", { class: "govuk-body-s eb-partial", text: PARTIAL }));
    const checks = verificationNotes(reply);
    if (checks) turn.answer.append(checks);
    turn.answer.append(sourcesList(turn, reply.citations));
    announce(`Answer ready with ${reply.citations.length} source${reply.citations.length === 1 ? "" : "s"}.`
      + (reply.partial ? ` ${PARTIAL}` : ""));
  }
  turn.item.append(turnActions(turn));
}

// Some of what was asked was found, not all (the answer's `partial`): said under the answer, read out with it, copied with it.
const PARTIAL = "Only part of what you asked is in the evidence.";

// The llm mode: say that the answer was generated and checked, and what was taken out and why.
function verificationNotes(reply) {
  const removed = reply.removed || [];
  if (reply.mode !== "llm" && !reply.note && !removed.length) return null;
  const lines = [];
  if (reply.mode === "llm") {
    lines.push(el("p", { class: "govuk-body-s", text: "Written by a language model; every sentence was checked "
      + "against the passage it cites." }));
  }
  if (reply.note) lines.push(el("p", { class: "govuk-body-s", text: `Note: ${reply.note}.` }));
  if (removed.length) {
    lines.push(el("details", { class: "govuk-details eb-removed" },
      el("summary", { class: "govuk-details__summary" }, el("span", { class: "govuk-details__summary-text",
        text: `${removed.length} sentence${removed.length === 1 ? " was" : "s were"} removed` })),
      el("div", { class: "govuk-details__text" }, el("ul", { class: "govuk-list govuk-list--bullet" },
        ...removed.map((r) => el("li", { text: `“${r.sentence}” — ${r.reason}` }))))));
  }
  return el("div", { class: "eb-verification" }, ...lines);
}

function showTurnError(turn, message) {
  turn.answer.setAttribute("aria-busy", "false");
  turn.answer.replaceChildren(el("p", { class: "govuk-error-message" },
    el("span", { class: "govuk-visually-hidden", text: "Error: " }), message));
  announce(`Error: ${message}`);
}

function sourcesList(turn, citations) {
  const headingId = `sources-${turn.number}`;
  return el("div", { class: "eb-sources" },
    el("h4", { class: "govuk-heading-s", id: headingId, text: "Sources" }),
    el("ol", { class: "govuk-list eb-source-list", "aria-labelledby": headingId }, ...citations.map((c) =>
      el("li", { id: `source-${turn.number}-${c.n}` },
        el("span", { class: "eb-source-n", text: `[${c.n}] ` }),
        el("a", { class: "govuk-link", href: `#source-${turn.number}-${c.n}`, text: c.title,
          onclick: (event) => { event.preventDefault(); openPassage(c, event.currentTarget); } }),
        el("span", { class: "govuk-body-s eb-source-where", text: ` — ${whereText(c)}` })))));
}

function turnActions(turn) {
  const reply = turn.reply;
  const actions = el("div", { class: "eb-actions" });
  if (!reply.abstained) {
    actions.append(el("button", { type: "button", class: "govuk-button govuk-button--secondary eb-small-button",
      text: "Copy answer with sources", onclick: () => copyAnswer(turn) }));
    actions.append(el("button", { type: "button", class: "govuk-button govuk-button--secondary eb-small-button eb-brief",
      text: "Download a briefing on this question (Word)", onclick: () => downloadBriefing(turn.question) }));
  }
  actions.append(feedbackForm(turn));
  return actions;
}

function citationText(turn) {
  const lines = [`Q: ${turn.question}`, "", turn.reply.answer, ...(turn.reply.partial ? ["", PARTIAL] : []), "",
    "Sources:"];
  for (const c of turn.reply.citations) {
    lines.push(`[${c.n}] ${c.title} (${whereText(c)})${c.url ? ` ${c.url}` : ""}`);
  }
  return lines.join("\n");
}

async function copyAnswer(turn) {
  const text = citationText(turn);
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    const scratch = el("textarea", { class: "govuk-visually-hidden", "aria-hidden": "true" });
    scratch.value = text;
    document.body.append(scratch);
    scratch.select();
    document.execCommand("copy");
    scratch.remove();
  }
  announce("Answer and sources copied.");
}

async function downloadBriefing(question) {
  announce("Preparing the briefing…");
  const response = await api(`/api/brief?${new URLSearchParams({ topic: question.slice(0, 300), format: "docx" })}`);
  if (!response.ok) {
    announce(`Error: ${await errorMessage(response)}`);
    return;
  }
  const link = el("a", { href: URL.createObjectURL(await response.blob()),
    download: (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "briefing.docx" });
  document.body.append(link);
  link.click();
  link.remove();
  announce("Briefing downloaded.");
}

function feedbackForm(turn) {
  const comment = el("textarea", { class: "govuk-textarea", id: `comment-${turn.number}`, rows: "2", maxlength: "2000" });
  const commentGroup = el("div", { class: "govuk-form-group", hidden: true },
    el("label", { class: "govuk-label", for: comment.id, text: "What was wrong or missing? (optional)" }),
    comment,
    el("button", { type: "button", class: "govuk-button govuk-button--secondary eb-small-button", text: "Send comment",
      onclick: () => sendFeedback(turn, "down", comment.value, box) }));
  const thumb = (rating, label) => el("button", {
    type: "button", class: "govuk-button govuk-button--secondary eb-small-button", "aria-pressed": "false", text: label,
    onclick: (event) => {
      box.querySelectorAll("[aria-pressed]").forEach((b) => b.setAttribute("aria-pressed", "false"));
      event.currentTarget.setAttribute("aria-pressed", "true");
      if (rating === "up") sendFeedback(turn, "up", "", box);
      else { commentGroup.hidden = false; comment.focus(); }
    },
  });
  const box = el("div", { class: "eb-feedback" },
    el("p", { class: "govuk-body-s eb-feedback-question", id: `useful-${turn.number}`, text: "Was this useful?" }),
    el("div", { class: "govuk-button-group", role: "group", "aria-labelledby": `useful-${turn.number}` },
      thumb("up", "Yes"), thumb("down", "No")),
    commentGroup);
  return box;
}

async function sendFeedback(turn, rating, comment, box) {
  const response = await api("/api/feedback", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ answer_id: turn.reply.answer_id, rating, comment: comment.trim() || null }),
  }).catch(() => null);
  const message = response && response.ok ? "Thank you for your feedback." : "Your feedback could not be saved. Try again.";
  if (response && response.ok) {
    box.replaceChildren(el("p", { class: "govuk-body-s eb-feedback-done", text: message }));
  }
  announce(message);
}

// ---- the source passage viewer ----

async function openPassage(citation, opener) {
  state.returnFocus = opener;
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
  const p = view.passage;
  const d = view.document;
  const rows = [["Type", typeName(d.doc_type)], ["Date", formatDate(d.date)],
    ["Page", p.page ? (p.page_end && p.page_end !== p.page ? `${p.page} to ${p.page_end}` : String(p.page)) : null],
    ["Section", p.section], ["Publisher", d.publisher]];
  return rows.filter(([, value]) => value).map(([key, value]) => el("div", { class: "govuk-summary-list__row" },
    el("dt", { class: "govuk-summary-list__key", text: key }),
    el("dd", { class: "govuk-summary-list__value", text: value })));
}

function passageBlock(passage, highlights, className) {
  const block = el("div", { class: `eb-passage ${className}` });
  if (className === "eb-context") block.append(el("span", { class: "govuk-visually-hidden", text: "Context: " }));
  const text = passage.text;
  let last = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < last || end > text.length) continue;
    block.append(text.slice(last, start));
    block.append(el("mark", { class: "eb-highlight" },
      el("span", { class: "govuk-visually-hidden", text: "Quoted in the answer: " }), text.slice(start, end)));
    last = end;
  }
  block.append(text.slice(last));
  return block;
}

function closeViewer() {
  $("viewer").hidden = true;
  if (state.returnFocus && document.body.contains(state.returnFocus)) state.returnFocus.focus();
  else $("question").focus();
}

// ---- conversation ----

function newConversation() {
  state.history = [];
  state.conversationId = null;
  state.turns = 0;
  $("turns").replaceChildren();
  $("viewer").hidden = true;
  showQuestionError("");
  $("question").value = "";
  $("question").focus();
  announce("New conversation started.");
}

$("ask-form").addEventListener("submit", ask);
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("ask-form").requestSubmit();
  }
});
$("new-conversation").addEventListener("click", newConversation);
$("viewer-close").addEventListener("click", closeViewer);
$("clear-filters").addEventListener("click", clearFilters);
["date-from", "date-to"].forEach((id) => $(id).addEventListener("change", summariseFilters));
loadFilters();
