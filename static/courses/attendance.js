/*
 * The attendance roster's 全部出勤 button (templates/courses/attendance_roster.html).
 *
 * Without this script the button submits the form with preset=present and the page
 * comes back with every row set to 出勤, nothing saved. With it, the rows are set
 * here, at once, and the focus stays on the button; the status line says what
 * happened for screen readers. Saving is still the 保存出勤 button.
 */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("[data-attendance-form]");
    var button = document.querySelector("[data-all-present]");
    if (!form || !button) {
      return;
    }
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.parentNode.appendChild(status);
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var radios = form.querySelectorAll("input[type=radio][value=present]");
      for (var i = 0; i < radios.length; i += 1) {
        radios[i].checked = true;
      }
      status.textContent = button.getAttribute("data-done") || "";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
