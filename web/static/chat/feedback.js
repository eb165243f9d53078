// "Was this useful?" under each answer: a thumbs up is sent at once, a thumbs down asks what was wrong first.

import { api } from "/static/auth.js";
import { announce, el } from "/static/dom.js";

export function feedbackForm(turn) {
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
