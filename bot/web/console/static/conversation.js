// Conversation page: actions go through fetch (the forms still post without JavaScript), the transcript opens at
// the newest message and follows new ones live. All text goes in through textContent.
(function () {
  "use strict";
  var root = document.getElementById("conv");
  var id = root.dataset.id;
  var csrf = root.dataset.csrf;
  var list = document.getElementById("transcript");
  var alertBox = document.getElementById("alert");
  var sayForm = document.getElementById("say-form");
  var WHO = {citizen: "Người dân", bot: "Trợ lý", agent: "Cán bộ", system: "Hệ thống"};
  var STATUS_KINDS = {handoff: 1, claimed: 1, transferred: 1, returned: 1, closed: 1, handoff_cancelled: 1};

  function toBottom() { list.scrollTop = list.scrollHeight; }
  function nearBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 80; }
  function say(text) {
    if (text) { alertBox.textContent = text; alertBox.hidden = false; } else { alertBox.hidden = true; }
  }
  function renderTranscript(items, follow) {
    if (items.length === list.children.length) return;
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (m) {
      var li = document.createElement("li"); li.className = "msg " + m.sender;
      var w = document.createElement("span"); w.className = "who"; w.textContent = WHO[m.sender] || m.sender;
      var at = document.createElement("time"); at.className = "at"; at.textContent = m.time || "";
      var t = document.createElement("span"); t.className = "text"; t.textContent = m.text;
      li.appendChild(w); li.appendChild(document.createTextNode(" ")); li.appendChild(at);
      li.appendChild(document.createTextNode(" ")); li.appendChild(t); list.appendChild(li);
    });
    if (follow) toBottom();
  }
  function refreshTranscript(forceFollow) {
    var follow = forceFollow || nearBottom();
    return fetch("/console/api/c/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        renderTranscript(d.transcript, follow);
        // A reply being typed is never hidden away, even if the conversation was just taken by someone else.
        sayForm.hidden = d.actions.indexOf("say") < 0 && !document.getElementById("reply").value.trim();
        document.getElementById("say-claims").hidden = d.actions.indexOf("claim") < 0;
      }).catch(function () {});
  }
  // The panel (status, fields, notes, the actions that fit the new state) is re-read from the page itself, so
  // the server's state → actions table stays the only place that decides; a note being typed is kept.
  function refreshPanel() {
    return fetch("/console/c/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("panel"), panel = document.getElementById("panel");
        if (!fresh || !panel) return;
        var note = panel.querySelector("form[data-action=note] textarea");
        var typed = note ? note.value : "";
        panel.replaceWith(fresh);
        var again = fresh.querySelector("form[data-action=note] textarea");
        if (again && typed) again.value = typed;
      }).catch(function () {});
  }
  function submit(form) {
    var action = form.dataset.action;
    var body = new URLSearchParams(new FormData(form));
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", credentials: "same-origin", body: body,
                        headers: {"X-Requested-With": "fetch", "X-CSRF-Token": csrf}})
      .then(function (r) {
        return r.json().catch(function () { return {ok: false}; }).then(function (d) { return {r: r, d: d}; });
      })
      .then(function (res) {
        if (!res.r.ok || !res.d.ok) {
          say((res.d && res.d.error) || "Không thực hiện được thao tác. Nội dung bạn nhập vẫn được giữ lại.");
          return;
        }
        say("");
        if (res.d.go) { window.location.href = res.d.go; return; }
        var box = form.querySelector("textarea, input[name=value]");
        if (box && action !== "field") box.value = "";
        if (action === "field") form.querySelector("input[name=value]").value = "";
        return Promise.all([refreshTranscript(true), refreshPanel()]);
      })
      .catch(function () { say("Mất kết nối, chưa gửi được. Nội dung bạn nhập vẫn được giữ lại."); })
      .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.action) return;   // e.g. log out: an ordinary post
    e.preventDefault();
    submit(form);
  });
  var canned = document.getElementById("canned");
  if (canned) canned.addEventListener("change", function () {
    if (canned.value) document.getElementById("reply").value = canned.value;
  });
  toBottom();
  // Live: notify.js relays the team's event stream; only this conversation's events matter here.
  document.addEventListener("console:event", function (e) {
    var ev = e.detail || {};
    if (String(ev.conversation_id) !== String(id)) return;
    refreshTranscript(false);
    if (STATUS_KINDS[ev.kind || ""]) refreshPanel();
  });
})();
