// The instructor's screen: fetch the session's next check-in code as the current
// one expires (a read-only GET), and say when the window is closed.
(function () {
  "use strict";
  var box = document.querySelector("[data-code-url]");
  if (!box) { return; }
  var digits = box.querySelector("[data-code]");
  var closed = box.querySelector("[data-window-closed]");

  function schedule(seconds) {
    // A second late, so the server is surely in the next minute.
    window.setTimeout(refresh, (Math.max(1, seconds) + 1) * 1000);
  }

  function refresh() {
    fetch(box.dataset.codeUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (state) {
        digits.textContent = state.code;
        closed.hidden = state.in_window;
        schedule(state.seconds_left);
      })
      .catch(function () { schedule(10); });
  }

  schedule(parseInt(box.dataset.secondsLeft, 10) || 60);
})();
