/*
 * The camera QR reader shared by the phone scan pages (the check-in scan page and the
 * merchant's redemption page). It reads frames with jsQR (from npm, served as our own
 * static file) and puts the first acceptable code into the page's typed-code form and
 * submits it; that form works alone without a camera or this script. After the submit
 * the page comes back and the camera starts again, for the next person. No inline
 * script: the site's Content-Security-Policy allows only files like this one.
 *
 * window.GridschoolQrCamera.attach({section, form, key, read}): `section` holds the
 * [data-scanner-video/-start/-stop/-status] controls and the data-found / data-no-camera
 * messages; `key` names this page's sessionStorage entries; `read(text)` returns the
 * code to submit, or null for a QR this page does not accept.
 */
(function () {
  "use strict";
  // The code just sent is likely still in front of the camera when the page comes
  // back: the same code is not sent again for this long.
  var SAME_CODE_MS = 30000;

  function attach(options) {
    var section = options.section;
    var form = options.form;
    if (!section || !form || typeof window.jsQR !== "function"
        || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var input = form.querySelector("input[name=code]");
    var video = section.querySelector("[data-scanner-video]");
    var start = section.querySelector("[data-scanner-start]");
    var stop = section.querySelector("[data-scanner-stop]");
    var status = section.querySelector("[data-scanner-status]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var KEY = options.key + ".scanning";
    var LAST = options.key + ".last";

    function justSent(code) {
      var last = (window.sessionStorage.getItem(LAST) || "").split(":");
      return last[0] === code && Date.now() - Number(last[1]) < SAME_CODE_MS;
    }

    section.hidden = false;

    function stopCamera() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
    }

    function tick() {
      if (!stream) { return; }
      if (video.readyState >= video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height,
                                { inversionAttempts: "dontInvert" });
        var code = found && options.read(found.data);
        if (code && !justSent(code)) {
          window.sessionStorage.setItem(LAST, code + ":" + Date.now());
          input.value = code;
          status.textContent = section.dataset.found || "";
          stopCamera();
          window.sessionStorage.setItem(KEY, "1");
          form.submit();
          return;
        }
      }
      window.requestAnimationFrame(tick);
    }

    function startCamera() {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          stop.hidden = false;
          start.hidden = true;
          status.textContent = "";
          return video.play();
        })
        .then(function () { window.requestAnimationFrame(tick); })
        .catch(function () {
          stopCamera();
          window.sessionStorage.removeItem(KEY);
          status.textContent = section.dataset.noCamera || "";
        });
    }

    start.addEventListener("click", startCamera);
    stop.addEventListener("click", function () {
      window.sessionStorage.removeItem(KEY);
      stopCamera();
    });
    if (window.sessionStorage.getItem(KEY) === "1") { startCamera(); }
  }

  window.GridschoolQrCamera = { attach: attach };
})();
