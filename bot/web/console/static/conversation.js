// Live conversation: re-read the transcript on each event; all text through textContent.
(function () {
  "use strict";
  var root = document.getElementById("conv");
  var id = root.dataset.id;
  var list = document.getElementById("transcript");
  var fields = document.getElementById("fields");
  var WHO = {citizen: "Người dân", bot: "Trợ lý", agent: "Cán bộ", system: "Hệ thống"};
  function renderTranscript(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (m) {
      var li = document.createElement("li"); li.className = "msg " + m.sender;
      var w = document.createElement("span"); w.className = "who"; w.textContent = WHO[m.sender] || m.sender;
      var t = document.createElement("span"); t.className = "text"; t.textContent = m.text;
      li.appendChild(w); li.appendChild(document.createTextNode(" ")); li.appendChild(t); list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }
  function renderFields(items) {
    while (fields.firstChild) fields.removeChild(fields.firstChild);
    items.forEach(function (f) {
      var tr = document.createElement("tr"); var th = document.createElement("th"); th.textContent = f.label;
      var td = document.createElement("td"); td.textContent = f.value; tr.appendChild(th); tr.appendChild(td);
      fields.appendChild(tr);
    });
  }
  function refresh() {
    fetch("/console/api/c/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        renderTranscript(d.transcript); renderFields(d.fields);
        document.getElementById("step").textContent = d.step_id || "—";
      }).catch(function () {});
  }
  var canned = document.getElementById("canned");
  if (canned) canned.addEventListener("change", function () {
    if (canned.value) document.getElementById("reply").value = canned.value;
  });
  var es = new EventSource("/console/events?c=" + encodeURIComponent(id));
  es.onmessage = refresh;
})();
