"""How long is the way to a draft? A simulated citizen walks every procedure of the catalog (issue 16).

For each procedure the spec lists (every one of them has a full flow: questions, documents, form), a citizen opens
with free text, answers the questions on the flow's first path that reaches the review, says "có" to every paper,
fills the form the way people type, and confirms. The real engine and the built-in NLU (trained once) do the rest,
exactly as the REST/web chat runtime calls them. Run twice: typed with diacritics, and folded (no diacritics, lower
case).

The citizen types naturally first — a bare 12-digit number for an identity paper, "Thửa số 25, tờ bản đồ số 7",
"cùng địa chỉ với mẹ", "là tôi", a child's name with the birth date and sex in one message, and what else the bot's
example invites with a name ("Ghi luôn ngày sinh, giới tính và số căn cước…") — and only when the bot refuses does it
retype the value in the strict form (each refusal costs a turn, as it would cost a person).

    /work/main/.venv/bin/python bench/journeys.py            # table + medians
    /work/main/.venv/bin/python bench/journeys.py --json     # machine-readable
    /work/main/.venv/bin/python bench/journeys.py --only ho-tich.khai-sinh --trace   # every message of one walk
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content.catalog import FormField, Procedure  # noqa: E402
from bot.content.flow import Flow, QuestionStep  # noqa: E402
from bot.engine import CitizenSaid, ConversationState, InboundMessage, Text, TurnContext, step  # noqa: E402
from bot.engine.engine import turn_needs  # noqa: E402
from nlu.normalize import fold  # noqa: E402

TODAY = dt.date(2026, 12, 6)
CHILD_BORN = "20/11/2026"   # 16 days before TODAY: on time
NAMES = {"requester": "Nguyễn Thị Hoa", "mother": "Nguyễn Thị Hoa", "child": "Trần Minh Khôi",
         "father": "Trần Văn Nam", "deceased": "Lê Văn Bình", "husband": "Trần Văn Nam", "wife": "Nguyễn Thị Hoa"}
ADDRESS = "thôn 3, xã Ea Kar, tỉnh Đắk Lắk"
ID = "079203012345"
STRICT = {
    "person_name": "Lê Văn Bình", "date_past": "15/03/1990", "date": "15/03/2026", "year": "1990",
    "id_number": ID, "identity_document": f"Căn cước công dân số {ID} cấp ngày 01/01/2021",
    "phone": "0912345678", "gender": "Nam", "ethnicity": "Kinh", "nationality": "Việt Nam",
    "address": ADDRESS, "number": "2", "text": "Ghi nhầm khi đăng ký", "email": "hoa.nguyen@gmail.com",
    "province": "Đắk Lắk",
}
ROLE_WORDS = {"cha": "father", "bo": "father", "me": "mother", "vo": "wife", "chong": "husband"}


@dataclass
class Walk:
    """One simulated citizen's way to a draft."""

    procedure: str
    turns: int = 0
    bot_messages: list[int] = field(default_factory=list)   # per citizen turn
    refused: int = 0
    before_first_question: int = 0                          # bot messages of the opening turn, question included
    drafted: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    trace: list[str] = field(default_factory=list)


def first_review_path(flow: Flow) -> dict[str, str]:
    """Answers of the first path through ``flow`` that reaches the review (first options, as most people)."""
    from tests.content.flowwalk import walk

    for w in walk(flow):
        if w.outcome == "review":
            return w.answers
    return {}


def prefix(fid: str) -> str:
    return fid.split("_", 1)[0] if "_" in fid else ""


def natural(f: FormField, proc: Procedure, flow: Flow, st: ConversationState, asked: str = "") -> list[str]:
    """What a person types for ``f``: the natural answer first, then stricter retries."""
    known = st.field_map
    p = prefix(f.id)
    role = ROLE_WORDS.get(fold(known.get("requester_relation", "").lower()).split(" ")[0], "")
    if f.type == "person_name":
        name = NAMES.get(p, STRICT["person_name"])
        if role and p == role and known.get("requester_name"):
            return ["là tôi", known["requester_name"]]
        siblings = {g.type for g in proc.form.fields if g.section == f.section and g.id != f.id} if proc.form else set()
        invited = asked[asked.find("Ghi luôn"):] if "Ghi luôn" in asked else ""   # people follow the bot's example
        parts = [name]
        if "ngày sinh" in invited:
            parts.append(f"sinh {CHILD_BORN if p == 'child' else STRICT['date_past']}")
        if p == "child" and "gender" in siblings:   # a child's sex is said unasked ("con trai")
            parts.append("con trai")
        elif "giới tính" in invited:
            parts.append("nam")
        if "số căn cước" in invited:
            parts.append(ID)
        return [", ".join(parts), name] if len(parts) > 1 else [name]
    if f.type == "date_past":
        return [CHILD_BORN if p == "child" else STRICT["date_past"]]
    if f.type == "identity_document":
        return [ID, STRICT["identity_document"]]
    if f.type == "address":
        if p == "father" and known.get("mother_residence"):
            return ["cùng địa chỉ với mẹ", ADDRESS]
        return [ADDRESS]
    if f.type == "choice":
        return [("Mẹ" if "Mẹ" in f.choices else f.choices[0])]
    if f.type == "text" and "parcel" in f.id:
        return ["Thửa số 25, tờ bản đồ số 7", "25"]
    return [STRICT.get(f.type, "Ghi nhầm khi đăng ký")]


class Citizen:
    """Talks to the pure engine as the runtime does (NLU only when the engine wants it)."""

    def __init__(self, content: Any, parser: Any, plain: bool, trace: bool) -> None:
        self.content, self.parser, self.plain, self.tracing = content, parser, plain, trace
        self.ctx = TurnContext(content=content, today=TODAY, new_draft_code="KS-BENCH01")
        self.state = ConversationState()
        self.last_events: list[str] = []
        self.last_text = ""

    def say(self, walk: Walk, text: str) -> int:
        """One citizen turn; returns how many bot messages answered it."""
        if self.plain and not text.startswith("/"):
            text = fold(text.lower())
        msg = InboundMessage(channel="rest", sender_id="bench", text=text,
                             payload=text if text.startswith("/") else None)
        und = None
        needs = turn_needs(self.state, msg.content)
        if needs.nlu is not None:
            und = self.parser.parse(msg.content, needs.nlu)
        turn = step(self.state, CitizenSaid(msg, und), self.ctx)
        self.state = turn.state
        self.last_events = [e.type for e in turn.events]
        texts = [r for r in turn.replies if isinstance(r, Text)]
        self.last_text = "\n".join(r.text for r in texts)
        walk.turns += 1
        walk.bot_messages.append(len(texts))
        if self.tracing:
            walk.trace.append(f"> {text}")
            walk.trace += ["  " + r.text.replace("\n", "\n  ") + (f"  [{' | '.join(b.title for b in r.buttons)}]"
                                                                  if r.buttons else "") for r in texts]
        return len(texts)


def journey(content: Any, parser: Any, pid: str, plain: bool, trace: bool = False) -> Walk:
    """Free-text opening → draft, answering as a person would."""
    proc, flow = content.procedures[pid], content.flows[pid]
    answers = first_review_path(flow)
    c = Citizen(content, parser, plain, trace)
    w = Walk(pid)
    w.before_first_question = c.say(w, f"cho tôi hỏi thủ tục {proc.name.lower()}")
    tries: dict[str, int] = {}
    learned: set[str] = set()   # kinds of shortcut the bot refused once
    for _ in range(200):
        p = c.state.pending
        if "draft_requested" in c.last_events:
            w.drafted = True
            break
        if p is None or c.state.mode != "bot":
            break
        if p.kind == "clarify":
            pick = next((b for b in p.buttons if b.title == proc.name), None)
            if pick is None:
                break
            c.say(w, pick.title)
        elif p.kind in ("status_warning", "switch_confirm"):
            go_on = [b for b in p.buttons if b.payload != "/canbo"]   # read the guide, do not wait for a person
            c.say(w, go_on[-1].title if go_on else "có")
        elif p.kind == "question":
            st = next(s for s in flow.steps if s.id == p.ref)
            assert isinstance(st, QuestionStep)
            opt = next((o for o in st.options if o.value == answers.get(p.ref)), st.options[0])
            c.say(w, opt.label)
        elif p.kind == "document":   # every paper at hand: one tap when the bot offers it
            c.say(w, next((b.title for b in p.buttons if b.title.startswith("Có đủ")), "có"))
        elif p.kind == "field_check":   # a name or place restored with diacritics: the citizen confirms it
            c.say(w, "Đúng")
        elif p.kind == "field" and (doi := next((b for b in p.buttons if b.payload.startswith("/doi ")), None)):
            c.say(w, doi.title)         # an answer contradicted an earlier one: keep the date, change the answer
        elif p.kind == "field":
            f = proc.form_field(p.ref or "")
            assert f is not None
            options = natural(f, proc, flow, c.state, c.last_text)
            n = tries.get(f.id, 0)
            if n == 0 and len(options) > 1 and f.type in learned:
                n = 1   # refused once already: this citizen now types the plain value
            tries[f.id] = n + 1
            value = options[min(n, len(options) - 1)]
            tap = next((b.title for b in p.buttons if fold(b.title.lower()).startswith(fold(value.lower()))), None)
            c.say(w, tap or value)
            if "field_rejected" in c.last_events:
                w.refused += 1
                learned.add(f.type)
        elif p.kind == "review":
            c.say(w, "xác nhận")
        else:
            break
    w.fields = dict(c.state.field_map)
    return w


def load() -> tuple[Any, Any]:
    from bot.content.knowledge import knowledge_items, labels
    from bot.content.loader import load_content
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    content = load_content(ROOT, require_all=False)
    return content, BuiltinParser.train(default_training_set(knowledge_items(content), labels(content)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default=None)
    ap.add_argument("--trace", action="store_true")
    args = ap.parse_args(argv)
    content, parser = load()
    from bot.content.loader import load_spec

    spec = load_spec(ROOT / "procedures_catalog" / "_spec.yml")
    ids = [p.id for p in spec.procedures] if hasattr(spec, "procedures") else list(content.procedures)
    ids = [i for i in ids if i in content.flows and (args.only is None or i == args.only)]
    rows: list[dict[str, Any]] = []
    for pid in ids:
        for plain in (False, True):
            w = journey(content, parser, pid, plain, args.trace)
            rows.append({"procedure": pid, "typed": "no diacritics" if plain else "diacritics", "turns": w.turns,
                         "drafted": w.drafted, "refused": w.refused, "opening_messages": w.before_first_question,
                         "messages_per_turn": round(statistics.mean(w.bot_messages), 2) if w.bot_messages else 0,
                         "max_messages": max(w.bot_messages, default=0)})
            if args.trace:
                print("\n".join(w.trace))
                print(json.dumps(w.fields, ensure_ascii=False, indent=1))
    summary = {
        "median_turns": statistics.median(r["turns"] for r in rows),
        "median_messages_per_turn": statistics.median(r["messages_per_turn"] for r in rows),
        "median_opening_messages": statistics.median(r["opening_messages"] for r in rows),
        "total_refusals": sum(r["refused"] for r in rows),
        "not_drafted": [f'{r["procedure"]} ({r["typed"]})' for r in rows if not r["drafted"]],
    }
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'procedure':40} {'typed':14} {'turns':>5} {'refused':>7} {'open':>4} {'msg/turn':>8} {'max':>3} draft")
    for r in rows:
        print(f"{r['procedure']:40} {r['typed']:14} {r['turns']:5} {r['refused']:7} {r['opening_messages']:4} "
              f"{r['messages_per_turn']:8} {r['max_messages']:3} {'yes' if r['drafted'] else 'NO'}")
    for k, v in summary.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
