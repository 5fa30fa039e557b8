/*
 * The progress page of a certificate batch: asks the batch's JSON every second
 * and moves the bar. Once the batch has finished, the page reloads so that the
 * server renders the result (the links, the ZIP). Without JavaScript the page's
 * <noscript> refresh does the same, only more slowly.
 */
(function () {
  "use strict";

  const root = document.querySelector("[data-batch-progress]");
  if (!root) {
    return;
  }
  const url = root.dataset.statusUrl;
  const bar = root.querySelector("[data-batch-bar]");
  const INTERVAL_MS = 1000;
  const GIVE_UP_AFTER = 60; // failed requests in a row: leave it to the reload link
  let failures = 0;

  function show(state) {
    for (const field of root.querySelectorAll("[data-batch-field]")) {
      const value = state[field.dataset.batchField];
      if (value !== undefined) {
        field.textContent = String(value);
      }
    }
    if (bar) {
      bar.value = state.percent;
      bar.textContent = state.percent + "%";
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      const state = await response.json();
      show(state);
      if (state.finished) {
        window.location.reload();
        return;
      }
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures >= GIVE_UP_AFTER) {
        return;
      }
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  window.setTimeout(poll, INTERVAL_MS);
})();
