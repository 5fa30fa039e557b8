/*
 * The error summary a form shows after a failed submit (templates/includes/form.html).
 *
 * Moves the focus to the summary once the page has loaded, so that a screen reader
 * reads it and a keyboard user starts there; each of its links then moves the focus
 * to its field. A field that another script replaced with its own controls (the
 * 街道 › 社区 › 网格 picker hides its list and puts a fieldset right after it) hands the
 * focus to the first control that stands in for it. No inline script: the site's
 * Content-Security-Policy allows only files like this one.
 */
(function () {
  "use strict";

  function focusTarget(field) {
    if (!field.hidden) {
      return field;
    }
    var standIn = field.nextElementSibling;
    return (standIn && standIn.querySelector("input, select, textarea, button")) || field;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      var target = focusTarget(field);
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
