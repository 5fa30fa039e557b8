// The merchant's phone page: read a redemption code's QR with the camera (the
// same jsQR static file the check-in scan page uses) and submit it through the
// typed-code form, which works alone without a camera or this script. After a
// code is marked the page comes back and the camera starts again for the next.
(function () {
  "use strict";
  var section = document.querySelector("[data-reward-scanner]");
  var form = document.querySelector("[data-reward-form]");
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
  var KEY = "gridschool.rewards.scanning";
  var LAST = "gridschool.rewards.last";
  // The code just marked is likely still in front of the camera when the page
  // comes back: the same code is not sent again for this long.
  var SAME_CODE_MS = 30000;

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
      var code = found && found.data.replace(/[\s-]/g, "").toUpperCase();
      if (code && /^[0-9A-Z]{6,16}$/.test(code) && !justSent(code)) {
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
})();
