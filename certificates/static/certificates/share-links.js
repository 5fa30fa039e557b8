/*
 * 我的证书: "复制链接" copies the verification URL instead of opening it, and
 * focusing a share field selects the whole URL. Without the clipboard API (or
 * without JavaScript) the link simply opens the verification page.
 * A file rather than an inline script, so that the Content-Security-Policy can
 * forbid inline scripts on the front end.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-copy]").forEach(function (link) {
    if (!navigator.clipboard) {
      return;
    }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(link.dataset.copy).then(
        function () {
          const label = link.textContent;
          link.textContent = link.dataset.copied;
          setTimeout(function () {
            link.textContent = label;
          }, 2000);
        },
        function () {
          window.location.href = link.href;
        },
      );
    });
  });
  document.querySelectorAll(".share-link__url").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
})();
