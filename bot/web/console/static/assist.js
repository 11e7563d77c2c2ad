// Assisted mode: submit with fetch and append the replies; without this file the forms post and redirect.
// Text goes into the page with textContent only. A failed send is retried with the same message id
// (the server runs a message id once), so a weak connection never doubles an answer.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var chips = document.getElementById("chips");
  var net = document.getElementById("net");
  var text = document.getElementById("text");
  var printBtn = document.getElementById("print");
  if (printBtn) { printBtn.hidden = false; printBtn.addEventListener("click", function () { window.print(); }); }
  if (!log || !chips) return;
  var busy = false;

  function status(msg) { net.textContent = msg || ""; net.hidden = !msg; }
  function hidden(name, value) {
    var list = document.querySelectorAll("form.turn input[name=" + name + "]");
    for (var i = 0; i < list.length; i++) list[i].value = value;
  }
  function entry(e) {
    if (document.getElementById("m" + e.id)) return;
    var li = document.createElement("li");
    li.className = "msg " + e.who; li.id = "m" + e.id;
    if (e.url) {
      var a = document.createElement("a");
      a.href = e.url; a.target = "_blank"; a.rel = "noopener"; a.textContent = "📄 " + e.text;
      li.appendChild(a);
    } else { li.textContent = e.text; }
    log.appendChild(li);
  }
  function drafts(list) {
    var box = document.getElementById("drafts"), ul = document.getElementById("draft-list");
    if (!box || !list || !list.length) return;
    ul.textContent = "";
    list.forEach(function (d) {
      var li = document.createElement("li"); li.className = "draft"; li.setAttribute("data-code", d.code);
      var b = document.createElement("b"); b.textContent = d.code; li.appendChild(b);
      li.appendChild(document.createTextNode(" · " + d.procedure + " · " + d.status +
        (d.claimed ? " · người dân đã nhận về " + d.claimed : "")));
      li.appendChild(document.createElement("br"));
      [["/dossiers/" + d.code + ".pdf", "In tờ khai (PDF)"], ["/dossiers/" + d.code, "Mở tại quầy"],
       ["/console/assist/" + log.getAttribute("data-cid") + "/phieu/" + d.code, "Phiếu theo dõi (/nhan)"]]
        .concat(d.online ? [["/console/c/" + log.getAttribute("data-cid") + "#online", "Nộp trực tuyến giúp"]] : [])
        .forEach(function (x, i) {
        if (i) li.appendChild(document.createTextNode(" · "));
        var a = document.createElement("a"); a.href = x[0]; a.textContent = x[1];
        if (!i) { a.target = "_blank"; a.rel = "noopener"; }
        if (i === 2) a.className = "slip-link";
        if (i === 3) a.className = "online-link";
        li.appendChild(a);
      });
      ul.appendChild(li);
    });
    box.hidden = false;
  }
  function apply(data) {
    (data.entries || []).forEach(entry);
    if (data.last) { log.setAttribute("data-last", data.last); hidden("after", data.last); }
    if (data.mid) hidden("mid", data.mid);
    var keep = chips.querySelectorAll("input"), i;
    chips.textContent = "";
    for (i = 0; i < keep.length; i++) chips.appendChild(keep[i]);
    (data.buttons || []).forEach(function (b) {
      var btn = document.createElement("button");
      btn.name = "payload"; btn.value = b.payload; btn.className = "chip"; btn.textContent = b.title;
      chips.appendChild(btn);
    });
    var proc = document.getElementById("procedure");
    if (proc && data.procedure) proc.textContent = data.procedure;
    drafts(data.drafts);
    document.getElementById("cuoi").scrollIntoView({block: "end"});
  }
  function lock(on) {
    var b = document.querySelectorAll("form.turn button");
    for (var i = 0; i < b.length; i++) b[i].disabled = on;
  }
  function send(form, body, shown, tries) {
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                        headers: {"X-Requested-With": "fetch"}})
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (r.redirected && !json) { location.href = r.url; return null; }   // signed out: the login page
        if (!json) return r.text().then(function (t) { return {ok: false, data: {error: t.slice(0, 200)}}; });
        return r.json().then(function (d) { return {ok: r.ok, status: r.status, data: d}; });
      })
      .then(function (res) {
        if (!res) return;
        if (shown) shown.remove();
        busy = false; lock(false);
        if (!res.ok) { status(res.data.error || "Không gửi được."); return; }
        status(""); apply(res.data);
        if (text) text.focus();
      })
      .catch(function () {
        // Lost connection: same body, same message id, a little later.
        var wait = Math.min(15, 2 * (tries + 1));
        status("Mất kết nối, sẽ gửi lại sau " + wait + " giây…");
        setTimeout(function () { send(form, body, shown, tries + 1); }, wait * 1000);
      });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("turn") || !window.fetch || !window.FormData) return;
    ev.preventDefault();
    if (busy) return;
    var body = new FormData(form), said = "";
    var btn = ev.submitter;
    if (btn && btn.name) { body.append(btn.name, btn.value); said = btn.textContent; }
    if (form.id === "composer") { said = text.value.trim(); if (!said) return; text.value = ""; }
    busy = true; lock(true);
    var li = document.createElement("li");
    li.className = "msg citizen sending"; li.textContent = said; log.appendChild(li);
    send(form, body, li, 0);
  });
  window.addEventListener("online", function () {
    if (busy) return;
    fetch("/console/assist/" + log.getAttribute("data-cid") + "/moi?after=" + log.getAttribute("data-last"),
          {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) apply(d); }).catch(function () {});
  });
  document.getElementById("cuoi").scrollIntoView({block: "end"});
})();
