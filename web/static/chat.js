// The chat page: asks /api/chat/stream and keeps the conversation (its earlier questions and answers, sent with
// each follow-up). One question's answer is chat/turn.js, the passage viewer chat/viewer.js, the filters
// chat/filters.js, feedback chat/feedback.js, and what the page says as pure functions chat/text.js.
// Every piece of document text goes into the page with textContent, never as markup.

import { api, errorMessage } from "/static/auth.js";
import { $, announce, el, startPage } from "/static/dom.js";
import { clearFilters, currentFilters, datesError, loadFilters, summariseFilters } from "/static/chat/filters.js";
import { filterDescription } from "/static/chat/text.js";
import { addTurn, clearTurns, readEvents, showTurnError } from "/static/chat/turn.js";
import { closeViewer } from "/static/chat/viewer.js";

startPage();

const state = { history: [], conversationId: null, busy: false };

function showQuestionError(message) {
  const group = $("question-group");
  const error = $("question-error");
  group.classList.toggle("govuk-form-group--error", Boolean(message));
  $("question").classList.toggle("govuk-textarea--error", Boolean(message));
  error.hidden = !message;
  error.replaceChildren(el("span", { class: "govuk-visually-hidden", text: "Error: " }), message || "");
  $("question").setAttribute("aria-describedby", message ? "question-hint question-error" : "question-hint");
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
    const reply = await readEvents(response, turn);
    state.conversationId = reply.conversation_id;
    state.history.push({ role: "user", content: question }, { role: "assistant", content: turn.answerText });
  } catch (error) {
    showTurnError(turn, error.message || "The service did not answer. Try again.");
  } finally {
    state.busy = false;
    $("ask").disabled = false;
  }
}

function newConversation() {
  state.history = [];
  state.conversationId = null;
  clearTurns();
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
