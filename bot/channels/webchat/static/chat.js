// Web chat: plain JS, no build. Text is always inserted with textContent (citizen input stays text).
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var statusEl = document.getElementById("status");
  var KEY = "motcua.sender";
  var sender = localStorage.getItem(KEY);
  if (!sender) {
    sender = "w-" + (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    localStorage.setItem(KEY, sender);
  }
  var queue = [];      // messages not yet acknowledged by the server (resent on reconnect, same id)
  var busy = false;

  function uid() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  // Links in the bot's and officers' text become <a> elements built node by node (never innerHTML): only
  // http(s) URLs, and same-site paths the page names (the privacy page, draft links), e.g. "/xoadulieu" stays text.
  var LINK = /(https?:\/\/[^\s<>"'«»]+|(?:^|[\s(])\/[A-Za-z][^\s<>"'«»()]*)/g;
  var LOCAL = [(log.getAttribute("data-privacy-url") || "/privacy"), "/privacy", "/d/"];
  function safeHref(raw) {
    var u;
    try { u = new URL(raw, window.location.href); } catch (e) { return null; }
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    if (raw.charAt(0) === "/") {
      if (u.origin !== window.location.origin) return null;
      if (!LOCAL.some(function (p) { return p && raw.indexOf(p) === 0; })) return null;
    }
    return u.href;
  }
  function appendText(div, text, links) {
    if (!links) { div.appendChild(document.createTextNode(text)); return; }
    var last = 0, m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text)) !== null) {
      var lead = m[0].length - m[0].replace(/^[\s(]/, "").length;
      var url = m[0].slice(lead).replace(/[.,;:!?)\]]+$/, "");
      var start = m.index + lead, href = safeHref(url);
      if (!href || !url) continue;
      div.appendChild(document.createTextNode(text.slice(last, start)));
      var a = document.createElement("a");
      a.href = href; a.textContent = url; a.rel = "noopener noreferrer";
      if (url.charAt(0) !== "/") a.target = "_blank";
      div.appendChild(a);
      last = start + url.length;
      LINK.lastIndex = last;
    }
    div.appendChild(document.createTextNode(text.slice(last)));
  }
  function bubble(cls, text, who) {
    var div = document.createElement("div");
    div.className = "msg " + cls;
    if (who) { var w = document.createElement("span"); w.className = "who"; w.textContent = who; div.appendChild(w); }
    appendText(div, text, cls !== "me");
    log.appendChild(div);
    return div;
  }
  function addCopy(div, value) {
    // One form value while filing online: a button that copies just the value, to paste on the portal.
    var btn = document.createElement("button");
    btn.type = "button"; btn.className = "copy"; btn.textContent = "Sao chép";
    btn.setAttribute("aria-label", "Sao chép: " + value);
    btn.addEventListener("click", function () {
      var done = function () { btn.textContent = "Đã chép ✓"; setTimeout(function () { btn.textContent = "Sao chép"; }, 1500); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(value).then(done, function () { fallbackCopy(value); done(); });
      } else { fallbackCopy(value); done(); }
    });
    div.appendChild(btn);
  }
  function fallbackCopy(value) {
    var t = document.createElement("textarea");
    t.value = value; t.setAttribute("readonly", ""); t.style.position = "fixed"; t.style.opacity = "0";
    document.body.appendChild(t); t.select();
    try { document.execCommand("copy"); } catch (e) { /* the value stays selectable in the bubble */ }
    t.remove();
  }
  function clearChips() {
    var old = log.querySelectorAll(".chips");
    for (var i = 0; i < old.length; i++) old[i].remove();
  }
  function render(m) {
    if (m.text !== undefined) {
      var agent = m.custom && m.custom.sender === "agent";
      var said = bubble(agent ? "agent" : "bot", m.text, agent ? "Cán bộ hỗ trợ" : null);
      if (m.custom && m.custom.copy) addCopy(said, m.custom.copy);
    }
    if (m.attachment && m.attachment.url) {
      var d = bubble("bot", "");
      var a = document.createElement("a");
      a.className = "file"; a.href = m.attachment.url; a.target = "_blank"; a.rel = "noopener";
      a.textContent = "📄 Tải tờ khai (" + (m.attachment.filename || "PDF") + ")";
      d.appendChild(a);
    }
    if (m.image) {
      var im = bubble("bot", "");
      var img = document.createElement("img"); img.src = m.image; img.alt = ""; img.style.maxWidth = "100%";
      im.appendChild(img);
    }
    if (m.buttons && m.buttons.length) {
      clearChips();
      var box = document.createElement("div");
      box.className = "chips";
      m.buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button"; btn.className = "chip"; btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        box.appendChild(btn);
      });
      log.appendChild(box);
    }
  }
  function showAll(list) { (list || []).forEach(render); scroll(); }
  function setStatus(text) {
    if (text) { statusEl.textContent = text; statusEl.hidden = false; } else { statusEl.hidden = true; }
  }
  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                        body: JSON.stringify(body) }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }
  function flush() {
    if (busy || !queue.length) return;
    busy = true;
    var item = queue[0];
    post("/webchat/api/send", { sender: sender, message: item.message, message_id: item.id })
      .then(function (res) {
        queue.shift(); busy = false; setStatus("");
        showAll(Array.isArray(res.data) ? res.data : (res.data && res.data.messages) || []);
        flush();
        if (pollAgain && !busy) poll();
      })
      .catch(function () {
        busy = false;
        setStatus("Mất kết nối. Tin nhắn sẽ được gửi lại khi có mạng…");
        setTimeout(flush, 3000);
      });
  }
  function send(message, shown) {
    message = (message || "").trim();
    if (!message) return;
    clearChips();
    bubble("me", shown || message);
    scroll();
    queue.push({ id: uid(), message: message });
    flush();
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); var t = input.value; input.value = ""; send(t); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
  });
  document.getElementById("human").addEventListener("click", function () { send("/canbo", "Gặp cán bộ"); });
  document.getElementById("restart").addEventListener("click", function () { send("/huy", "Làm lại"); });

  var polling = false, pollAgain = false;
  function poll() {
    if (busy || polling) { pollAgain = true; return; }
    polling = true; pollAgain = false;
    fetch("/webchat/api/poll?sender=" + encodeURIComponent(sender))
      .then(function (r) { return r.json(); })
      .then(function (list) { if (list && list.length) showAll(list); setStatus(""); })
      .catch(function () { setStatus("Mất kết nối. Đang thử lại…"); })
      .then(function () { polling = false; if (pollAgain) setTimeout(poll, 50); });
  }
  // Push: the server says when something arrived (an agent's reply) and the page fetches it at once. Without
  // EventSource, or while the stream is down, the page polls every 4 s as before; with it, a slow safety poll.
  var live = null;
  function openLive() {
    if (!window.EventSource) return;
    live = new EventSource("/webchat/api/events?sender=" + encodeURIComponent(sender));
    live.onmessage = function () { poll(); };
    live.onopen = function () { poll(); };
  }
  function tick() {
    if (!live || live.readyState !== 1) poll();
    setTimeout(tick, live && live.readyState === 1 ? 20000 : 4000);
  }
  // Resume: show the conversation so far (after a reload or a lost connection), then greet if new.
  fetch("/webchat/api/history?sender=" + encodeURIComponent(sender))
    .then(function (r) { return r.json(); })
    .then(function (data) {
      (data.entries || []).forEach(function (e) {
        if (e.direction === "in") bubble("me", e.text);
        else render(e.message);
      });
      if (!(data.entries || []).length) send("/start", "Bắt đầu");
      else scroll();
    })
    .catch(function () { setStatus("Không tải được cuộc trò chuyện. Đang thử lại…"); });
  openLive();
  setTimeout(tick, 4000);
})();
