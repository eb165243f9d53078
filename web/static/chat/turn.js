// One question and its answer: the answer as it streams in, with numbered citation links, then its sources,
// its checks and what can be done with it (copy, a briefing, feedback).

import { api, errorMessage } from "/static/auth.js";
import { $, announce, el } from "/static/dom.js";
import { whereText } from "/static/format.js";
import { events } from "/static/sse.js";
import { feedbackForm } from "/static/chat/feedback.js";
import { PARTIAL, citationText, markerSegments } from "/static/chat/text.js";
import { openPassage } from "/static/chat/viewer.js";

let turns = 0;

export function clearTurns() {
  turns = 0;
  $("turns").replaceChildren();
}

export function addTurn(question, filterText) {
  turns += 1;
  const number = turns;
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

// The stream's events into the turn; the turn's reply once it is done.
export async function readEvents(response, turn) {
  for await (const event of events(response.body)) handleEvent(event, turn);
  if (!turn.done) throw new Error("The answer was cut off. Try again.");
  return turn.reply;
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

function appendAnswer(turn, text) {
  if (!turn.paragraph) {
    turn.paragraph = el("p", { class: "govuk-body eb-answer-text" });
    turn.answer.replaceChildren(turn.paragraph);
  }
  turn.answerText += text;
  for (const segment of markerSegments(text)) {
    turn.paragraph.append(segment.marker === undefined ? segment.text : citationLink(turn, segment.marker));
  }
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

export function showTurnError(turn, message) {
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

async function copyAnswer(turn) {
  const text = citationText(turn.question, turn.reply);
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
