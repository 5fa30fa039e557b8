// The merchant's phone page: read a redemption code's QR with the shared camera
// reader (static/js/qr-camera.js) and submit it through the typed-code form. A
// redemption code is 6-16 letters and digits, compared in upper case.
(function () {
  "use strict";
  if (!window.GridschoolQrCamera) { return; }
  window.GridschoolQrCamera.attach({
    section: document.querySelector("[data-reward-scanner]"),
    form: document.querySelector("[data-reward-form]"),
    key: "gridschool.rewards",
    read: function (text) {
      var code = text.replace(/[\s-]/g, "").toUpperCase();
      return /^[0-9A-Z]{6,16}$/.test(code) ? code : null;
    }
  });
})();
