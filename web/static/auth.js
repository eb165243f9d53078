// API calls with the officer's token when the service runs with authentication on. On a 401 the page asks
// for a token (kept in this browser tab's sessionStorage only) and tries again.

const KEY = "evidence-bot-token";
let pending = null;

export async function api(url, options = {}) {
  for (;;) {
    const token = sessionStorage.getItem(KEY);
    const headers = { ...(options.headers || {}) };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { ...options, headers });
    if (response.status !== 401) return response;
    if (token) sessionStorage.removeItem(KEY);
    await askForToken(token ? "That token was not accepted. Check it and try again." : "");
  }
}

// What went wrong, in the service's words (its JSON `detail`) or by its status.
export async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.detail || `The service answered ${response.status}.`;
  } catch (error) {
    return `The service answered ${response.status}.`;
  }
}

function askForToken(error) {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    const main = document.getElementById("main-content");
    const panel = document.createElement("form");
    panel.className = "govuk-form-group eb-token" + (error ? " govuk-form-group--error" : "");
    panel.noValidate = true;
    panel.innerHTML = `
      <h2 class="govuk-heading-m" id="token-heading" tabindex="-1">Sign in with your API token</h2>
      <label class="govuk-label" for="token">API token</label>
      <div class="govuk-hint" id="token-hint">Your council's evidence_bot administrator issues tokens
        (<code>evidence-bot tokens create</code>). It is kept in this browser tab only.</div>
      <p class="govuk-error-message" id="token-error" hidden><span class="govuk-visually-hidden">Error: </span></p>
      <input class="govuk-input" id="token" name="token" type="password" autocomplete="off" spellcheck="false"
             aria-describedby="token-hint">
      <button type="submit" class="govuk-button eb-token-button">Continue</button>`;
    if (error) {
      const message = panel.querySelector("#token-error");
      message.append(error);
      message.hidden = false;
      panel.querySelector("#token").setAttribute("aria-describedby", "token-hint token-error");
    }
    panel.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = panel.querySelector("#token").value.trim();
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      panel.remove();
      pending = null;
      resolve();
    });
    main.prepend(panel);
    panel.querySelector("#token-heading").focus();
  });
  return pending;
}
