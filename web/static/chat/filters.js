// The chat page's filters: document types and services offered from what the index holds, and dates.

import { api } from "/static/auth.js";
import { $, announce, el } from "/static/dom.js";
import { typeName } from "/static/format.js";
import { filterDescription } from "/static/chat/text.js";

export async function loadFilters() {
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

export function currentFilters() {
  const ticked = (id) => [...$(id).querySelectorAll("input:checked")].map((box) => box.value);
  const filters = { doc_type: ticked("filter-doc-type"), service: ticked("filter-service") };
  if ($("date-from").value) filters.date_from = $("date-from").value;
  if ($("date-to").value) filters.date_to = $("date-to").value;
  return filters;
}

export function summariseFilters() { $("filter-summary").textContent = filterDescription(currentFilters()); }

export function clearFilters() {
  document.querySelectorAll("#filters input[type=checkbox]").forEach((box) => { box.checked = false; });
  $("date-from").value = "";
  $("date-to").value = "";
  summariseFilters();
  announce("Filters cleared.");
}

// The dates' error, shown by the dates and returned ("" when they are in order).
export function datesError(filters) {
  const message = filters.date_from && filters.date_to && filters.date_from > filters.date_to
    ? "The ‘From’ date must be on or before the ‘To’ date" : "";
  $("dates-error").hidden = !message;
  $("dates-error").textContent = message;
  $("dates-group").classList.toggle("govuk-form-group--error", Boolean(message));
  if (message) { $("filters").open = true; $("date-from").focus(); }
  return message;
}
