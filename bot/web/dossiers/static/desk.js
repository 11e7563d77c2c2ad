// The desk's pages: one-click copy of a form value, and reading the printout's QR with the device camera.
// Plain JS, no library: a frame is captured into a canvas and the server decodes the QR (zxing-cpp).
(function () {
  "use strict";

  // --- copy ---------------------------------------------------------------------------------
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function feedback(button, ok) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = ok ? "Đã chép" : "Chưa chép được";
    button.classList.toggle("done", ok);
    window.setTimeout(function () {
      button.textContent = label;
      button.classList.remove("done");
    }, 1500);
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("button.copy");
    if (!button) return;
    var text = button.getAttribute("data-value") || "";
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { feedback(button, true); },
        function () { feedback(button, fallbackCopy(text)); });
    } else {
      feedback(button, fallbackCopy(text));
    }
  });

  // --- a final status asks first: "Đã trả kết quả" cannot be undone ---------------------------
  document.addEventListener("submit", function (ev) {
    var button = ev.submitter || ev.target.querySelector("button[data-confirm]");
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) ev.preventDefault();
  });

  // --- QR by camera -------------------------------------------------------------------------
  var start = document.getElementById("scan-start");
  if (!start) return;
  var live = document.getElementById("scan-live");
  var video = document.getElementById("scan-video");
  var shot = document.getElementById("scan-shot");
  var stop = document.getElementById("scan-stop");
  var error = document.getElementById("scan-error");
  var form = document.getElementById("scan-form");
  var csrf = form.querySelector("input[name=csrf]").value;
  var stream = null;

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  function close() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    live.hidden = true;
    start.hidden = false;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    start.hidden = false;
  }

  start.addEventListener("click", function () {
    showError("");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.play();
        live.hidden = false;
        start.hidden = true;
      }, function () {
        showError("Không mở được camera. Bạn cho phép trình duyệt dùng camera, hoặc chụp ảnh bằng nút bên dưới.");
      });
  });

  stop.addEventListener("click", close);

  shot.addEventListener("click", function () {
    if (!video.videoWidth) return;
    var scale = Math.min(1, 1280 / Math.max(video.videoWidth, video.videoHeight));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    shot.disabled = true;
    canvas.toBlob(function (blob) {
      var data = new FormData();
      data.append("csrf", csrf);
      data.append("image", blob, "qr.jpg");
      fetch("/dossiers/scan", { method: "POST", body: data, credentials: "same-origin",
                                headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.json(); })
        .then(function (got) {
          shot.disabled = false;
          if (got.url) { close(); window.location.assign(got.url); } else { showError(got.error || "Chưa đọc được mã."); }
        }, function () {
          shot.disabled = false;
          showError("Mất kết nối. Bạn thử lại.");
        });
    }, "image/jpeg", 0.85);
  });
})();
