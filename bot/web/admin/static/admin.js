// Admin editor: debounced live validation and the draft chat simulator (no inline scripts: CSP).
"use strict";
(function () {
  const editor = document.getElementById("editor");
  if (!editor) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const areas = Array.from(editor.querySelectorAll("textarea[data-path]"));
  const problems = document.getElementById("problems");
  const valid = document.getElementById("valid");
  const files = () => Object.fromEntries(areas.map((a) => [a.dataset.path, a.value]));
  const post = (url, body) => fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body),
  });

  let timer = null;
  async function validate() {
    const resp = await post("/console/admin/content/validate", { files: files() });
    if (!resp.ok) return;
    const data = await resp.json();
    problems.replaceChildren(...data.problems.map(problemRow));
    valid.hidden = data.problems.length > 0;
    const banner = document.getElementById("refused");
    if (banner) banner.querySelector("strong").textContent = data.problems.length
      ? "Chưa xuất bản: " + data.problems.length + " lỗi." : "Chưa xuất bản: đã hết lỗi, có thể xuất bản.";
  }
  // One problem: a button that jumps to its line, the place in words, what is wrong and how to fix it.
  function problemRow(p) {
    const div = document.createElement("div");
    div.className = "problem";
    div.dataset.path = p.file;
    div.dataset.line = p.line;
    const go = document.createElement("button");
    go.type = "button";
    go.className = "goto";
    go.textContent = p.file + ", dòng " + p.line;
    div.append(go, " ");
    if (p.place) {
      const place = document.createElement("span");
      place.className = "place";
      place.textContent = p.place + ":";
      div.append(place, " ");
    }
    const what = document.createElement("span");
    what.className = "what";
    what.textContent = p.problem;
    div.append(what);
    if (p.hint) {
      const fix = document.createElement("div");
      fix.className = "fix";
      fix.textContent = "Cách sửa: " + p.hint;
      div.append(fix);
    }
    return div;
  }
  // Line numbers beside each YAML text, kept in step with its scrolling.
  function numberLines(area) {
    const gutter = area.parentElement.querySelector(".gutter");
    if (!gutter) return;
    const n = area.value.split("\n").length;
    if (gutter.dataset.lines !== String(n)) {
      gutter.dataset.lines = String(n);
      gutter.textContent = Array.from({ length: n }, (_, i) => i + 1).join("\n");
    }
    gutter.scrollTop = area.scrollTop;
  }
  function gotoLine(area, line) {
    const lines = area.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const lh = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 4) * lh);
    numberLines(area);
  }
  problems.addEventListener("click", (ev) => {
    const row = ev.target.closest(".problem");
    const area = row && areas.find((a) => a.dataset.path === row.dataset.path);
    if (area) gotoLine(area, Number(row.dataset.line));
  });
  areas.forEach((a) => {
    numberLines(a);
    a.addEventListener("scroll", () => numberLines(a));
    a.addEventListener("input", () => {
      numberLines(a);
      clearTimeout(timer);
      timer = setTimeout(validate, 400);
    });
  });

  // Structured fields rewrite only their own YAML line, then the whole text is validated as usual.
  function yamlScalar(v) {
    const plain = /^[^\s'"#&*!|>%@`{}\[\],?:-][^#]*$/.test(v) && !/:\s|:$|\s$/.test(v);
    return plain ? v : JSON.stringify(v);
  }
  document.querySelectorAll(".line-field").forEach((input) => {
    input.addEventListener("input", () => {
      const area = document.getElementById(input.dataset.target);
      const lines = area.value.split("\n");
      const i = Number(input.dataset.line) - 1;
      const m = lines[i] && lines[i].match(/^(\s*(?:- )?)([A-Za-z_]+):/);
      if (!m || m[2] !== input.dataset.key) return;
      lines[i] = m[1] + m[2] + ": " + yamlScalar(input.value);
      area.value = lines.join("\n");
      area.dispatchEvent(new Event("input"));
    });
  });

  const log = document.getElementById("sim-log");
  const input = document.getElementById("sim-text");
  let state = null;
  function line(text, who) {
    const div = document.createElement("div");
    div.className = "msg " + who;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }
  async function send(text, payload) {
    line(text, "me");
    const resp = await post("/console/admin/preview/turn", { files: files(), state, text, payload });
    const data = await resp.json();
    if (!resp.ok) {
      line("Bản nháp đang có lỗi, chưa thể xem thử:\n" + (data.problems || []).join("\n"), "bot");
      return;
    }
    state = data.state;
    for (const r of data.replies) {
      const div = line(r.text || r.caption || r.filename || "", "bot");
      for (const b of r.buttons || []) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.className = "btn";
        btn.textContent = b.title || b.text || b.label || b.payload;
        btn.addEventListener("click", () => send(btn.textContent, b.payload));
        div.appendChild(document.createElement("br"));
        div.appendChild(btn);
      }
    }
  }
  document.getElementById("sim-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text, null);
  });
  document.getElementById("sim-reset").addEventListener("click", () => {
    state = null;
    log.replaceChildren();
  });
})();
