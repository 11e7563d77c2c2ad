// Live queue: re-drawn whenever notify.js re-reads it (each server-sent event); text goes in with textContent only.
(function () {
  "use strict";
  var body = document.getElementById("queue-body");
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); return td; }
  function render(items) {
    while (body.firstChild) body.removeChild(body.firstChild);
    if (!items.length) {
      var tr0 = document.createElement("tr"); tr0.className = "empty";
      var td0 = cell(tr0, "Chưa có ai chờ."); td0.colSpan = 7; body.appendChild(tr0); return;
    }
    items.forEach(function (q) {
      var tr = document.createElement("tr"); tr.className = "ticket"; tr.dataset.id = q.conversation_id;
      cell(tr, String(q.conversation_id)); cell(tr, q.team); cell(tr, q.procedure);
      cell(tr, q.reason + (q.callback ? " · cần gọi lại" : "")); cell(tr, q.wait + " (" + q.requested + ")");
      cell(tr, q.status_vi + (q.claimed_by ? " (" + q.claimed_by + ")" : ""));
      var td = document.createElement("td"); var a = document.createElement("a");
      a.href = "/console/c/" + encodeURIComponent(q.conversation_id); a.textContent = "Mở"; td.appendChild(a); tr.appendChild(td);
      body.appendChild(tr);
    });
  }
  // notify.js (on every console page) reads the queue on each live event and hands it over.
  document.addEventListener("console:queue", function (e) { render(e.detail); });
})();
