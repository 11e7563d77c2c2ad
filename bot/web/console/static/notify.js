// On every console page: a new request is noticed even when the queue is not on screen. The tab title counts
// waiting requests, an optional sound (off until the agent turns it on) and a browser notification (once the
// agent allowed them) announce each new one. It owns the team's event stream; the queue and conversation pages
// listen to it.
(function () {
  "use strict";
  var SOUND_KEY = "motcua.console.sound";
  var baseTitle = document.title;
  var known = null;            // ids of waiting requests seen so far (null until the first read)
  var toggle = document.getElementById("sound-toggle-box");
  var allow = document.getElementById("notify-allow");

  if (toggle) {
    toggle.checked = localStorage.getItem(SOUND_KEY) === "1";
    toggle.addEventListener("change", function () {
      localStorage.setItem(SOUND_KEY, toggle.checked ? "1" : "0");
      if (toggle.checked) beep();   // the click unlocks audio in the browser and lets the agent hear it
    });
  }
  function showAllow() {
    if (allow) allow.hidden = !("Notification" in window) || Notification.permission !== "default";
  }
  if (allow) allow.addEventListener("click", function () {
    Notification.requestPermission().then(showAllow, showAllow);
  });
  showAllow();

  var audio = null;
  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = audio || new Ctx();
    var osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880; gain.gain.value = 0.15;
    osc.connect(gain); gain.connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + 0.25);
  }
  function announce(q) {
    if (toggle && toggle.checked) { try { beep(); } catch (e) { /* no audio device */ } }
    if ("Notification" in window && Notification.permission === "granted") {
      var n = new Notification("Yêu cầu mới #" + q.conversation_id, {
        body: q.procedure + " · " + q.reason, tag: "motcua-" + q.conversation_id});
      n.onclick = function () { window.focus(); window.location.href = "/console/c/" + q.conversation_id; };
    }
  }
  function update(queue) {
    var waiting = queue.filter(function (q) { return q.status === "queued"; });
    document.title = (waiting.length ? "(" + waiting.length + ") " : "") + baseTitle;
    var ids = {};
    waiting.forEach(function (q) {
      ids[q.conversation_id] = 1;
      if (known !== null && !known[q.conversation_id]) announce(q);
    });
    known = ids;
    document.dispatchEvent(new CustomEvent("console:queue", {detail: queue}));
  }
  function refresh() {
    fetch("/console/api/queue", {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (d) { update(d.queue); }).catch(function () {});
  }
  // One stream per page (a browser allows only six connections per site): the conversation page listens to
  // this one for its own conversation instead of opening a second.
  var es = new EventSource("/console/events");
  es.onmessage = function (e) {
    var data = {};
    try { data = JSON.parse(e.data) || {}; } catch (err) { data = {}; }
    document.dispatchEvent(new CustomEvent("console:event", {detail: data}));
    refresh();
  };
  es.onopen = refresh;
  setInterval(refresh, 30000);   // wait times keep counting
})();
