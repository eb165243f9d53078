// DOM helpers shared by the three pages. Text from documents goes in with textContent, never as markup.

import { initAll } from "/static/govuk-frontend.min.js";

export const $ = (id) => document.getElementById(id);

// Marks the page as scripted for GOV.UK Frontend and starts its components.
export function startPage() {
  document.body.classList.add("js-enabled", "govuk-frontend-supported");
  initAll();
}

// el("a", { class: "x", text: "label", href: "/", onclick: handler }, child, ...): null, undefined and false
// attributes are left out, true is an empty attribute, "on…" keys add listeners.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// Says a message in the page's live region (#status) for screen readers: cleared first, so the same message
// said twice is read twice.
export function announce(message) {
  $("status").textContent = "";
  window.setTimeout(() => { $("status").textContent = message; }, 50);
}
