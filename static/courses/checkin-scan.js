// The staff phone page: read a trainee's card QR with the shared camera reader
// (static/js/qr-camera.js) and submit it through the typed-code form. A card code is
// 7-18 digits; spaces and dashes in the QR text are dropped.
(function () {
  "use strict";
  if (!window.GridschoolQrCamera) { return; }
  window.GridschoolQrCamera.attach({
    section: document.querySelector("[data-scanner]"),
    form: document.querySelector("[data-scan-form]"),
    key: "gridschool.checkin",
    read: function (text) {
      var digits = text.replace(/[\s-]/g, "");
      return /^\d{7,18}$/.test(digits) ? digits : null;
    }
  });
})();
