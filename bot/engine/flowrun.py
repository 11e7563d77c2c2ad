"""Running a procedure's flow: questions, the document checklist, field collection and review.

All pure: given the state and the citizen's answer, compute the next prompt.
"""
from __future__ import annotations

import re
from typing import Protocol

from bot.content.catalog import FormField, Procedure
from bot.content.flow import (
    Check,
    DocItem,
    DocumentsStep,
    FieldItem,
    FieldsStep,
    Flow,
    HandoffStep,
    MessageStep,
    Option,
    QuestionStep,
    ReviewStep,
    applies,
    holds,
)
from bot.engine import events as ev
from bot.engine.commune import DRAFT, close_question, ensure_commune
from bot.engine.messages import Button, Text
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.text import fold, fold_label
from bot.engine.turn import Out
from nlu.fields import FieldResult, field_kind, validate_field
from nlu.restore import is_plain

DOC_HAVE, DOC_MISSING, DOC_WHAT = "/giayto co", "/giayto chua", "/giayto lagi"
DOC_ALL = "/giayto du"
# "có đủ cả 3 giấy", "có hết rồi", "đủ cả" — every paper of the list at once (not "đủ rồi": one paper).
_ALL_SAID = re.compile(r"^(?:(?:da )?co |da )?(?:du ca|du het|du|het|ca|tat ca)(?: ca)?(?: \d+)?(?: giay(?: to)?)?"
                       r"(?: roi)?(?: a| nhe)?$")
CONFIRM, SKIP, EDIT = "/xacnhan", "/boqua", "/sua"
SWITCH_ANSWER = "/doi"   # "/doi <question> <value>": change an earlier answer a cross-field check found wrong
SAME_AS = "/giong"
# Typed ways of saying "the same as the answer the button offers" ("Là tôi", "Cùng địa chỉ với mẹ").
_REUSE_SAID = frozenset({"la toi", "chinh toi", "toi", "la minh", "chinh la toi", "la em", "em", "nhu tren",
                         "giong tren", "cung dia chi", "cung", "giong"})
_REUSE_START = ("cung dia chi", "cung noi", "giong dia chi", "giong cua", "giong nhu", "nhu cua", "o cung")
_ADDRESS_START = re.compile(r"^(?:o|dia chi|song o|song tai|cu tru tai|cu tru o|thuong tru tai|tru tai)\s+")
_WHO = r"(?:be|chau|con|em|toi|minh|me|bo|cha|ba|ma)"
_NAME_LEAD = re.compile(rf"^(?:{_WHO}\s+la|(?:{_WHO}\s+)?(?:ho va ten|ho ten|ten)(?:\s+(?:cua\s+)?{_WHO})?(?:\s+la)?)"
                        r"\s*:?\s+")
_LABEL_FILLER = frozenset({"so", "la", "cua", "thu"})
HUMAN = "/canbo"
CHECK_OK, CHECK_FIX = "/dung", "/gosua"


def human_button(out: Out) -> Button:
    return Button(out.p("human_button"), HUMAN)


# --- which items apply -------------------------------------------------------------------------

def applicable_docs(flow: Flow, answers: dict[str, str]) -> list[str]:
    """Document ids of every documents step that applies, in order (used by the draft too)."""
    return _applicable_items(flow, answers, DocumentsStep)


def applicable_fields(flow: Flow, answers: dict[str, str]) -> list[str]:
    return _applicable_items(flow, answers, FieldsStep)


def _applicable_items(flow: Flow, answers: dict[str, str], kind: type[DocumentsStep | FieldsStep]) -> list[str]:
    """The ids the applying items of every applying step of ``kind`` name, in order, each once."""
    out: list[str] = []
    for step in flow.steps:
        if isinstance(step, kind) and applies(step, answers):
            ids = [i.doc if isinstance(i, DocItem) else i.field for i in step.items if applies(i, answers)]
            out += [x for x in ids if x not in out]
    return out


def _step_docs(step: DocumentsStep, answers: dict[str, str], proc: Procedure) -> list[str]:
    """The documents to ask about: those that apply, minus the form the draft itself fills (never asked)."""
    return [i.doc for i in step.items if applies(i, answers) and not _produced(proc, i.doc)]


def _produced(proc: Procedure, doc_id: str) -> bool:
    doc = proc.document(doc_id)
    return bool(doc and doc.produced_by_draft and proc.form)


def _step_fields(step: FieldsStep, answers: dict[str, str]) -> list[str]:
    return [i.field for i in step.items if applies(i, answers)]


# --- display -----------------------------------------------------------------------------------

def display_value(f: FormField, value: str) -> str:
    """How a stored value reads back to the citizen: the field type's display (ISO dates as dd/mm/yyyy), or a
    tapped quick answer as its button ("2 bản", stored as 2 for the desk)."""
    if (tapped := next((q.label for q in f.quick if q.value == value), None)) is not None:
        return tapped
    return field_kind(f.type).display(value)


# --- advancing ---------------------------------------------------------------------------------

def _rule_in_force(out: Out, rule_id: str | None) -> bool:
    """A step tied to a time-limited rule is skipped outside the rule's window."""
    if rule_id is None:
        return True
    rule = out.ctx.content.rules.get(rule_id)
    return rule is not None and rule.in_force(out.ctx.today)


def start_flow(state: ConversationState, out: Out, flow: Flow, lead: str | None = None) -> ConversationState:
    """The procedure's name and the flow's intro in one message, then the first question."""
    text = "\n".join(t for t in (lead, flow.intro) if t)
    if text:
        out.say(text)
    return advance(state, out, 0)


def advance(state: ConversationState, out: Out, index: int) -> ConversationState:
    """Run steps from ``index`` until one needs the citizen's answer."""
    flow = out.ctx.content.flow(state.procedure_id)
    proc = out.ctx.content.procedure(state.procedure_id)
    if flow is None or proc is None:
        return replace(state, phase="idle", pending=None)
    answers = state.answer_map
    i = index
    while i < len(flow.steps):
        step = flow.steps[i]
        if not applies(step, answers) or not _rule_in_force(out, step.rule):
            i += 1
            continue
        state = replace(state, phase="flow", step_id=step.id, item=0, pending=None)
        if isinstance(step, MessageStep):
            out.say(step.say)
            i += 1
            continue
        if isinstance(step, HandoffStep):
            out.say(step.say)
            return request_handoff(state, out, "flow_step", step_id=step.id)
        if isinstance(step, QuestionStep):
            if _answered(step, answers):
                i += 1
                continue
            return _ask_question(state, out, step)
        if isinstance(step, DocumentsStep):
            docs = _step_docs(step, answers, proc)
            if not docs:
                i += 1
                continue
            produced = [d.name for i in step.items if applies(i, answers) and _produced(proc, i.doc)
                        and (d := proc.document(i.doc)) is not None]
            intro = [step.intro] if step.intro else []
            if produced:
                intro.append(out.p("docs_prefilled_note", docs=", ".join(produced)))
            if intro:
                out.say_on(" ".join(intro))
            out.emit(ev.DocumentsReached(procedure_id=proc.id, step_id=step.id, count=len(docs)))
            return prompt_document(state, out, proc, step)
        if isinstance(step, FieldsStep):
            state = _prefill(state, out, step)
            fields = _step_fields(step, answers)
            todo = [f for f in fields if f not in state.field_map]
            if not todo:
                i += 1
                continue
            if step.intro:
                out.say_on(step.intro)
            out.emit(ev.FieldsReached(procedure_id=proc.id, step_id=step.id, count=len(fields)))
            return prompt_field(state, out, proc, step)
        if isinstance(step, ReviewStep):
            if step.intro:
                out.say(step.intro)
            out.emit(ev.ReviewReached(procedure_id=proc.id))
            return show_review(state, out, proc, flow)
        i += 1
    out.phrase("flow_ended")
    return replace(state, phase="done", step_id=None, pending=None)


def next_step(state: ConversationState, out: Out) -> ConversationState:
    flow = out.ctx.content.flow(state.procedure_id)
    idx = flow.step_index(state.step_id) if flow and state.step_id else None
    out.emit(ev.StepCompleted(procedure_id=state.procedure_id, step_id=state.step_id))
    return advance(state, out, (idx or 0) + 1 if idx is not None else 0)


def reprompt(state: ConversationState, out: Out) -> ConversationState:
    """Ask again whatever is pending (after an interruption such as a fee question)."""
    if state.pending is None:
        if state.phase == "idle":
            out.phrase("ask_procedure")
        return state
    flow = out.ctx.content.flow(state.procedure_id)
    proc = out.ctx.content.procedure(state.procedure_id)
    step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
    if proc is not None and flow is not None and step is not None:
        if isinstance(step, QuestionStep) and state.pending.kind is PendingKind.QUESTION:
            return _ask_question(state, out, step)
        if isinstance(step, DocumentsStep) and state.pending.kind is PendingKind.DOCUMENT:
            return prompt_document(state, out, proc, step)
        if isinstance(step, FieldsStep) and state.pending.kind is PendingKind.FIELD:
            return prompt_field(state, out, proc, step)
        if isinstance(step, ReviewStep) and state.pending.kind is PendingKind.REVIEW:
            return show_review(state, out, proc, flow)
        if state.pending.kind is PendingKind.FIELD_CHECK:
            value = state.field_map.get(state.pending.ref or "", "")
            out.phrase("field_check_again", value=value, buttons=state.pending.buttons)
            return state
    if state.pending.buttons:
        out.phrase("question_pick", buttons=state.pending.buttons)
    return state


# --- questions ---------------------------------------------------------------------------------

def fee_line(state: ConversationState, out: Out) -> str | None:
    """What the answers given so far mean for this citizen's fee: the last chosen option whose `say` is about the
    fee ("Đăng ký đúng hạn nên bạn được miễn lệ phí."), from the flow data."""
    flow = out.ctx.content.flow(state.procedure_id) if state.procedure_id else None
    if flow is None:
        return None
    answers, line = state.answer_map, None
    for st in flow.steps:
        if isinstance(st, QuestionStep) and st.id in answers:
            opt = next((o for o in st.options if o.value == answers[st.id]), None)
            if opt is not None and opt.say and "le phi" in fold(opt.say.lower()):
                line = opt.say
    return line


def _ask_question(state: ConversationState, out: Out, step: QuestionStep) -> ConversationState:
    buttons = tuple(Button(o.label, f"/tl {step.id} {o.value}") for o in step.options)
    text = step.ask + (f"\n{step.explain}" if step.explain else "")
    out.say(text, buttons)
    return replace(state, pending=Pending(PendingKind.QUESTION, step.id, buttons))


def match_option(step: QuestionStep, raw: str, folded: str, affirm: bool | None) -> Option | None:
    """The option a citizen chose: payload, number, label, synonym, or yes/no intent."""
    for o in step.options:
        if raw == f"/tl {step.id} {o.value}":
            return o
    if folded.isdigit() and 1 <= int(folded) <= len(step.options):
        return step.options[int(folded) - 1]
    for o in step.options:
        if folded == fold_label(o.label) or any(folded == fold_label(s) for s in o.synonyms):
            return o
    for o in step.options:
        lab = fold_label(o.label)
        if len(folded) >= 3 and (lab.startswith(folded) or (len(folded) >= 6 and folded in lab)):
            return o
    if affirm is not None:
        want = {"yes", "co", "true"} if affirm else {"no", "khong", "false"}
        hits = [o for o in step.options if o.value in want]
        if len(hits) == 1:
            return hits[0]
    return None


def _implied_answers(state: ConversationState, out: Out, opt: Option) -> tuple[ConversationState, list[str]]:
    """A combined question's answer also answers the later questions it names (``sets``): stored, not asked again;
    what each implied answer says (the fee that applies…) is said with the chosen option's own text."""
    said = [opt.say] if opt.say else []
    flow = out.ctx.content.flow(state.procedure_id) if opt.sets else None
    for qid, value in opt.sets.items():
        state = state.with_answer(qid, value)
        step = next((s for s in flow.steps if s.id == qid), None) if flow else None
        implied = next((o for o in step.options if o.value == value), None) if isinstance(step, QuestionStep) else None
        if implied is not None and implied.say:
            said.append(implied.say)
    return state, said


def _answered(step: QuestionStep, answers: dict[str, str]) -> bool:
    """Already answered with one of this question's options (by a combined question, or before a switch)."""
    return any(o.value == answers.get(step.id) for o in step.options)


class StartProcedure(Protocol):
    """`bot.engine.identify.start_procedure`, passed in: identify runs flows, so this module never imports it."""

    def __call__(self, state: ConversationState, out: Out, pid: str, confidence: float,
                 keep_answers: bool = False) -> ConversationState: ...


def answer_question(state: ConversationState, out: Out, step: QuestionStep, opt: Option,
                    start_procedure: StartProcedure) -> ConversationState:
    state = state.push(out.ctx.thresholds.max_history).with_answer(step.id, opt.value)
    state, said = _implied_answers(replace(state, pending=None), out, opt)
    if said:
        out.say("\n".join(said))
    if opt.handoff:
        return request_handoff(state, out, "flow_option", step_id=step.id)
    if opt.switch_to:
        name = out.ctx.content.procedure(opt.switch_to)
        out.phrase("switched_procedure", name=name.name if name else opt.switch_to)
        return start_procedure(state, out, opt.switch_to, 1.0, keep_answers=True)
    if opt.end:
        out.emit(ev.StepCompleted(procedure_id=state.procedure_id, step_id=step.id))
        out.phrase("flow_ended")
        return replace(state, phase="done", pending=None)
    if opt.goto:
        flow = out.ctx.content.flow(state.procedure_id)
        idx = flow.step_index(opt.goto) if flow else None
        if idx is not None:
            out.emit(ev.StepCompleted(procedure_id=state.procedure_id, step_id=step.id))
            return advance(state, out, idx)
    return next_step(state, out)


# --- documents ---------------------------------------------------------------------------------

def prompt_document(state: ConversationState, out: Out, proc: Procedure, step: DocumentsStep) -> ConversationState:
    docs = _step_docs(step, state.answer_map, proc)
    if state.item >= len(docs):
        missing = [d.name for d in proc.documents if d.id in state.docs_missing]
        if missing:
            out.phrase("docs_done_missing", docs=", ".join(missing))
        else:
            out.phrase("docs_done")
        return next_step(state, out)
    doc = proc.document(docs[state.item])
    assert doc is not None  # cross-file validation guarantees it
    count = out.p("count_suffix", count=doc.count) if doc.count > 1 else ""
    buttons: tuple[Button, ...] = (Button(out.p("doc_have"), DOC_HAVE), Button(out.p("doc_missing"), DOC_MISSING),
                                   Button(out.p("doc_what"), DOC_WHAT))
    text = out.p("doc_step", i=state.item + 1, n=len(docs), name=doc.name, form=out.p("form_" + doc.form.value),
                 count=count)
    if state.item == 0 and len(docs) > 1:   # who has every paper answers once
        names = [d.name for d in (proc.document(x) for x in docs) if d is not None]
        text = out.p("docs_list", n=len(docs), docs="; ".join(names)) + "\n" + text
        buttons += (Button(out.p("docs_have_all", n=len(docs)), DOC_ALL),)
    if doc.optional:
        text += " " + out.p("doc_optional")
    if doc.applies_when:
        text += "\n" + out.p("doc_when", when=doc.applies_when)
    out.say(text, buttons)
    return replace(state, pending=Pending(PendingKind.DOCUMENT, doc.id, buttons))


def answer_document(state: ConversationState, out: Out, raw: str, folded: str, affirm: bool | None) -> ConversationState | None:
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
    if proc is None or not isinstance(step, DocumentsStep) or state.pending is None:
        return None
    doc = proc.document(state.pending.ref or "")
    if doc is None:
        return None
    choice = None
    if raw == DOC_ALL or (state.item == 0 and folded not in {"du roi", "du"} and _ALL_SAID.match(folded)):
        docs = _step_docs(step, state.answer_map, proc)
        state = state.push(out.ctx.thresholds.max_history)
        have = tuple(d for d in state.docs_have if d not in docs) + tuple(docs)
        missing = tuple(d for d in state.docs_missing if d not in docs)
        return prompt_document(replace(state, docs_have=have, docs_missing=missing, item=len(docs)), out, proc, step)
    if raw == DOC_HAVE or folded in {"co", "da co", "co roi", "roi", "1", "du roi", "co a"}:
        choice = "have"
    elif raw == DOC_MISSING or folded in {"chua", "chua co", "khong", "khong co", "ko", "k", "2", "mat roi", "chua a"}:
        choice = "missing"
    elif raw == DOC_WHAT or folded in {"3", "la gi", "giay nay la gi", "giay gi", "la sao", "khong hieu"} or folded.endswith("la gi"):
        choice = "what"
    elif affirm is not None:
        choice = "have" if affirm else "missing"
    if choice is None:
        return None
    if choice == "what":
        text = doc.explain
        if doc.how_to_get:
            text += "\n" + out.p("doc_how_to_get", how=doc.how_to_get)
        out.say(text)
        return prompt_document(state, out, proc, step)
    state = state.push(out.ctx.thresholds.max_history)
    have = tuple(d for d in state.docs_have if d != doc.id)
    missing = tuple(d for d in state.docs_missing if d != doc.id)
    if choice == "have":
        have += (doc.id,)
    elif doc.optional:
        out.phrase("doc_optional_skipped")
    else:
        missing += (doc.id,)
        out.emit(ev.DocumentMissing(procedure_id=proc.id, doc_id=doc.id))
        if doc.how_to_get:
            out.phrase("doc_how_to_get", how=doc.how_to_get)
        out.phrase("doc_missing_noted")
    state = replace(state, docs_have=have, docs_missing=missing, item=state.item + 1)
    return prompt_document(state, out, proc, step)


# --- fields ------------------------------------------------------------------------------------

def _field_buttons(f: FormField, next_type: str | None = None) -> tuple[Button, ...]:
    """The field's own quick answers, else its type's (``next_type``: the type of the next field of the same
    section, when one tap may answer both, e.g. "Kinh, quốc tịch Việt Nam")."""
    if f.quick:
        return tuple(Button(q.label, q.value) for q in f.quick)
    return tuple(Button(a, a) for a in field_kind(f.type).button_answers(f.choices, next_type))


def _prefill(state: ConversationState, out: Out, step: FieldsStep) -> ConversationState:
    """Fill fields whose value an earlier question already gave (the option's label), so nobody is asked twice."""
    flow = out.ctx.content.flow(state.procedure_id)
    proc = out.ctx.content.procedure(state.procedure_id)
    answers = state.answer_map
    known = dict(state.contact)
    fields = state.field_map   # kept in step with `state` (built once, not once per item)
    for it in step.items:
        if it.field in fields or not applies(it, answers):
            continue
        filled: str | None = None
        if it.value is not None:
            filled = it.value
        elif it.copy_from:
            filled = fields.get(it.copy_from) or None
        elif it.same_as and it.copy_if and holds(it.copy_if, fields):
            filled = fields.get(it.same_as) or None
        elif it.prefill_from and it.prefill_from in answers and flow:
            value = answers[it.prefill_from]
            # with a map, an unmapped answer ("Không rõ") fills nothing: the field is asked
            filled = it.prefill_map.get(value) if it.prefill_map else flow.option_label(it.prefill_from, value)
        elif known and proc is not None and (f := proc.form_field(it.field)) is not None:
            filled = known.get(f.type)   # e.g. the phone number the desk typed when it opened the conversation
        if filled:
            state = state.with_field(it.field, filled)
            fields = state.field_map
            if it.copy_from and it.copy_from in state.unsure:   # a copied guess is as unconfirmed as its source
                state = state.with_unsure(it.field, True)
    return state


def _item(step: FieldsStep, fid: str, answers: dict[str, str] | None = None) -> FieldItem | None:
    """The item that asks ``fid`` under these answers (a field may have one item per case: copied or asked)."""
    items = [it for it in step.items if it.field == fid]
    live = [it for it in items if answers is None or applies(it, answers)]
    return next(iter(live or items), None)


_PERSONAL_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _not_needed(state: ConversationState, step: FieldsStep, fid: str) -> bool:
    """A field the form wants only without a personal ID number, once that number is known (``not_needed_with``)."""
    it, filled = _item(step, fid, state.answer_map), state.field_map
    return bool(it and it.not_needed_with and _PERSONAL_ID.search(filled.get(it.not_needed_with, "")))


def _same_person(state: ConversationState, proc: Procedure, step: FieldsStep, f: FormField) -> set[str | None]:
    """The form sections about the person ``f`` names: its own, and those whose name copies it (the requester is the
    person the paper is for): their birth date, sex and ID number can come with the name."""
    sections = {f.section}
    if f.type == "person_name":
        for it in step.items:
            if it.copy_from == f.id and applies(it, state.answer_map) and (g := proc.form_field(it.field)):
                sections.add(g.section)
    return sections


def _can_reuse(state: ConversationState, it: FieldItem | None) -> bool:
    """A shortcut is offered while it may be right: its answer exists, and no answer already rules it out (the
    requester said she is the grandmother: "Là tôi" is no answer for the mother's name)."""
    if it is None or it.same_as is None or not state.field_map.get(it.same_as):
        return False
    return not (it.copy_if and all(k in state.field_map for k in it.copy_if))


def _shortcut_buttons(state: ConversationState, step: FieldsStep, fid: str) -> tuple[Button, ...]:
    """The flow's one-tap answers for this field: reuse another answer ("Là tôi"), then usual answers."""
    it = _item(step, fid, state.answer_map)
    if it is None:
        return ()
    out: tuple[Button, ...] = ()
    if _can_reuse(state, it) and it.same_as_label:
        out += (Button(it.same_as_label, f"{SAME_AS} {it.same_as}"),)
    return out + tuple(Button(v, v) for v in it.suggest)


def _reused(state: ConversationState, step: FieldsStep, fid: str, raw: str, folded: str) -> str | None:
    """The reused answer when the citizen tapped or typed the shortcut ("cùng địa chỉ với mẹ", "là tôi")."""
    it = _item(step, fid, state.answer_map)
    if not _can_reuse(state, it) or it is None or it.same_as is None:
        return None
    said = folded.strip(" .!")
    if (raw == f"{SAME_AS} {it.same_as}" or said == fold(it.same_as_label or "") or said in _REUSE_SAID
            or said.startswith(_REUSE_START)):
        return state.field_map[it.same_as]
    return None


def _strip_label(f: FormField, seg: str) -> str | None:
    """'Thửa số 25' for the field 'Thửa đất số' → '25': the words of the label the citizen repeated, dropped."""
    label = set(fold(f.label.lower()).split())
    words = seg.split()
    j, named = 0, False
    while j < len(words) and fold(words[j].lower()).strip(":.,") in label | _LABEL_FILLER:
        named = named or fold(words[j].lower()).strip(":.,") not in _LABEL_FILLER
        j += 1
    rest = " ".join(words[j:]).strip(" :.")
    return rest if named and rest[:1].isdigit() else None   # only numbers: "Hộ kinh doanh Minh Phát" stays whole


def _segment_result(out: Out, g: FormField, seg: str) -> FieldResult | None:
    """``seg`` read as an answer to ``g`` (None when refused; free-text kinds take a part only when it names them)."""
    if g.type in ("text", "number"):
        part = _strip_label(g, seg)
        if part is None:
            return None
        res = validate(out, g, part)
        return res if res.value is not None else None
    folded = fold(seg.lower())
    if g.type == "address":
        seg = seg[len(m.group()):] if (m := _ADDRESS_START.match(folded)) else seg
    res = validate(out, g, seg)
    if res.value is None or g.type == "nationality" and res.value != "Việt Nam" and not folded.startswith("quoc tich"):
        return None   # any words pass as a foreign nationality: a part must say it is one
    return res


def _segment_value(out: Out, g: FormField, seg: str) -> str | None:
    res = _segment_result(out, g, seg)
    return res.value if res is not None else None


def _first_value(out: Out, f: FormField, seg: str) -> FieldResult | None:
    """The asked field's own part of a message ("bé tên Trần Minh Khôi" → the name)."""
    if f.type == "person_name" and (m := _NAME_LEAD.match(fold(seg.lower()))) and len(seg[m.end():].split()) >= 2:
        seg = seg[m.end():]   # fold keeps offsets: one character for one
    return _segment_result(out, f, seg)


def _fill_many(state: ConversationState, out: Out, proc: Procedure, step: FieldsStep, f: FormField,
               text: str) -> dict[str, str] | None:
    """Several answers in one message, comma-separated: the asked field first, then fields of the same person
    (section) not answered yet. Every part must find its field, else nothing is guessed."""
    segs = [x.strip() for x in re.split(r"[,;\n]", text) if x.strip()]
    first = _first_value(out, f, segs[0]) if len(segs) > 1 else None
    if first is None or first.value is None:
        return None
    got = {f.id: first.value}
    sections = _same_person(state, proc, step, f)
    others = [g for g in (proc.form_field(x) for x in _step_fields(step, state.answer_map))
              if g is not None and g.id not in state.field_map and g.id != f.id and g.section in sections
              and g.type not in ("person_name", "choice")]
    others.sort(key=lambda g: g.type in ("address", "text"))   # "sinh 15/3/1990" is a date before it is a place
    rest = segs[1:]
    while rest:
        seg = rest.pop(0)
        if _ADDRESS_START.match(fold(seg.lower())):
            seg, rest = ", ".join([seg, *rest]), []
        hit = next(((g, v) for g in others if g.id not in got and (v := _segment_value(out, g, seg))), None)
        if hit is None:
            return None
        got[hit[0].id] = hit[1]
    return got


_MORE_KINDS = (("date_past", "date"), ("gender", "gender"), ("id_number", "id"), ("identity_document", "id"))


def _more_hint(out: Out, proc: Procedure, f: FormField, todo: list[str], sections: set[str | None]) -> str:
    """Asking a name, say what else of the same person can come in the same message (birth date, sex, the ID
    number), with an example in that order — the answer is read part by part (``_fill_many``)."""
    kinds = {g.type for g in (proc.form_field(x) for x in todo) if g is not None and g.section in sections}
    parts = list(dict.fromkeys(key for kind, key in _MORE_KINDS if kind in kinds))
    if not parts:
        return ""
    what = [out.p(f"name_more_what_{k}") for k in parts]
    joined = ", ".join(what[:-1]) + f" {out.p('and_word')} {what[-1]}" if len(what) > 1 else what[0]
    example = ", ".join(out.p(f"name_more_example_{k}") for k in parts)
    return " " + out.p("name_more_hint", what=joined, example=example)


def prompt_field(state: ConversationState, out: Out, proc: Procedure, step: FieldsStep) -> ConversationState:
    state = _prefill(state, out, step)
    fields = _step_fields(step, state.answer_map)
    filled = state.field_map
    i = state.item
    while i < len(fields) and (fields[i] in filled or _not_needed(state, step, fields[i])):
        i += 1
    if i >= len(fields):
        return next_step(replace(state, item=i), out)
    f = proc.form_field(fields[i])
    assert f is not None
    text = f.ask or f"{f.label}?"
    if f.type == "person_name":
        todo = [x for x in fields[i + 1:] if x not in filled and not ((it := _item(step, x, state.answer_map)) and it.not_needed_with)]
        text += _more_hint(out, proc, f, todo, _same_person(state, proc, step, f))   # the ID spares the rest
    buttons = _shortcut_buttons(state, step, f.id)
    nxt = next((proc.form_field(x) for x in fields[i + 1:] if x not in filled), None)
    buttons += _field_buttons(f, nxt.type if nxt is not None and nxt.section == f.section else None)
    if not f.required:
        text += " " + out.p("field_optional_hint")
        buttons += (Button("Bỏ qua", SKIP),)
    out.say(text, buttons)
    return replace(state, item=i, pending=Pending(PendingKind.FIELD, f.id, buttons))


def check_value(state: ConversationState, out: Out, f: FormField, check: str | None) -> ConversationState | None:
    """Mark a value typed without diacritics; when its restoration is uncertain, show it with "Đúng" / "Sửa"."""
    state = state.with_unsure(f.id, check is not None)
    if check is None:
        return None
    buttons = (Button(out.p("field_check_ok"), CHECK_OK), Button(out.p("field_check_fix"), CHECK_FIX))
    out.say(check, buttons)
    return replace(state, pending=Pending(PendingKind.FIELD_CHECK, f.id, buttons))


def answer_field_check(state: ConversationState, out: Out, raw: str, folded: str, text: str) -> ConversationState | None:
    """"Đúng" keeps the restored value as the citizen's; "Sửa" asks the field again; anything else is a new answer."""
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
    f = proc.form_field(state.pending.ref or "") if proc and state.pending else None
    if proc is None or f is None or not isinstance(step, FieldsStep):
        return None
    if raw == CHECK_OK or folded in {"dung", "dung roi", "dung vay", "chinh xac", "ok", "1", "yes", "co"}:
        return prompt_field(replace(state.with_unsure(f.id, False), pending=None), out, proc, step)
    state = replace(state.with_field(f.id, None).with_unsure(f.id, False), pending=Pending(PendingKind.FIELD, f.id))
    if raw == CHECK_FIX or folded in {"sua", "sai", "sai roi", "khong", "khong dung", "chua dung", "2", "no"}:
        out.phrase("field_check_retype")
        return prompt_field(state, out, proc, step)
    return answer_field(state, out, raw, folded, text)


def validate(out: Out, f: FormField, raw: str) -> FieldResult:
    """The field's validation; ``value`` is None when refused, and then ``reason`` always says why."""
    res = validate_field(f.type, raw, today=out.ctx.today, choices=f.choices, max_length=f.max_length)
    if res.ok and res.value is not None:
        return res
    return replace(res, value=None, reason=res.reason or "Thông tin chưa hợp lệ.")


def answer_field(state: ConversationState, out: Out, raw: str, folded: str, text: str) -> ConversationState | None:
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
    if proc is None or flow is None or not isinstance(step, FieldsStep) or state.pending is None:
        return None
    f = proc.form_field(state.pending.ref or "")
    if f is None:
        return None
    text = next((b.payload for b in state.pending.buttons if folded == fold(b.title) and b.payload != SKIP), text)
    text = _numbered_switch(state.pending, folded) or text
    if text.startswith(SWITCH_ANSWER + " "):
        state = _switch_answer(state, out, flow, text)
        return _after_field(state, out, proc, flow, step, f)
    if raw == SKIP or folded in {"bo qua", "skip", "khong co", "ko co", "k co", "khong biet"}:
        if f.required:
            out.phrase("field_required")
            return prompt_field(state, out, proc, step)
        state = state.push(out.ctx.thresholds.max_history).with_field(f.id, "")
        out.phrase("field_skipped", label=f.label)
        return prompt_field(replace(state, item=state.item + 1), out, proc, step)
    got = _answers_in(state, out, proc, step, f, raw, folded, text)
    if isinstance(got, str):
        out.emit(ev.FieldRejected(procedure_id=proc.id, field_id=f.id, field_type=f.type))
        out.phrase("field_invalid", reason=got)
        return prompt_field(state, out, proc, step)
    values, checked = got
    state = state.push(out.ctx.thresholds.max_history)
    for fid, value in values.items():
        state = state.with_field(fid, value)
        out.emit(ev.FieldCollected(procedure_id=proc.id, field_id=fid))
    if checked is not None:
        asked = check_value(state, out, f, checked.check)
        if asked is not None:
            return asked
        state = state.with_unsure(f.id, checked.unsure)
    elif len(values) > 1 and is_plain(text):   # several typed without diacritics at once: the desk sees them marked
        for fid in values:
            state = state.with_unsure(fid, True)
    return _after_field(state, out, proc, flow, step, f)

def _after_field(state: ConversationState, out: Out, proc: Procedure, flow: Flow, step: FieldsStep,
                 f: FormField) -> ConversationState:
    """Next field, unless the value contradicts an earlier answer (the flow's ``checks``): then say so and let the
    citizen retype it or change that answer."""
    bad = flow.failed_check(f.id, state.answer_map, state.field_map, out.ctx.today)
    if bad is None:
        return prompt_field(replace(state, item=state.item + 1), out, proc, step)
    buttons = _say_conflict(out, proc, flow, state, *bad)
    return replace(state, pending=Pending(PendingKind.FIELD, f.id, buttons))


def _say_conflict(out: Out, proc: Procedure, flow: Flow, state: ConversationState, check: Check,
                  days: int) -> tuple[Button, ...]:
    """The message of a failed check and its way out: a button that changes the earlier answer."""
    f = proc.form_field(check.field)
    value = state.field_map.get(check.field, "")
    label = (f.label if f else check.field).lower()
    switch = flow.option_label(check.answer, check.switch_to) or check.switch_to
    text = check.say.format(value=display_value(f, value) if f else value, days=days)
    out.emit(ev.CheckFailed(procedure_id=proc.id, check_id=check.id))
    buttons = (Button(out.p("check_switch", answer=switch), f"{SWITCH_ANSWER} {check.answer} {check.switch_to}"),)
    out.say(text + "\n" + out.p("check_fix", label=label, answer=switch), buttons)
    return buttons


def _numbered_switch(pending: Pending, folded: str) -> str | None:
    """On numbered-menu channels a failed check's menu is answered by its number (a date is never a bare 1 or 2)."""
    if not any(b.payload.startswith(SWITCH_ANSWER + " ") for b in pending.buttons):
        return None
    if folded.isdigit() and 1 <= int(folded) <= len(pending.buttons):
        return pending.buttons[int(folded) - 1].payload
    return None


def _switch_answer(state: ConversationState, out: Out, flow: Flow, raw: str) -> ConversationState:
    """Change an earlier question's answer (from a failed check's button) and say what follows from it (fee…)."""
    parts = raw.split()
    step = next((s for s in flow.steps if len(parts) == 3 and s.id == parts[1] and isinstance(s, QuestionStep)), None)
    opt = next((o for o in step.options if o.value == parts[2]), None) if step else None
    if step is None or opt is None or opt.handoff or opt.switch_to or opt.end or opt.goto:
        return state
    state = state.push(out.ctx.thresholds.max_history).with_answer(step.id, opt.value)
    out.phrase("check_switched", question=step.ask, answer=opt.label)
    if opt.say:
        out.say(opt.say)
    return state


def _answers_in(state: ConversationState, out: Out, proc: Procedure, step: FieldsStep, f: FormField, raw: str,
                folded: str, text: str) -> tuple[dict[str, str], FieldResult | None] | str:
    """The field values one message gives ({field: value}, with the asked field's own validation when it alone was
    read: its spelling check), or why the asked field's answer is refused."""
    reused = _reused(state, step, f.id, raw, folded)
    if reused is not None:
        return {f.id: reused}, None
    if f.type == "person_name" and folded.strip(" .!") in _REUSE_SAID:
        return out.p("name_not_reusable")   # "là tôi" where it cannot be: never stored as a name
    res: FieldResult | None = validate(out, f, text)
    if res is None or res.value is None or re.search(r"[,;]", text) and f.type not in ("address", "text"):
        many = _fill_many(state, out, proc, step, f, text)
        if many and (res is None or res.value is None or len(many) > 1):
            return many, None
    if f.type in ("person_name", "text") and (part := _first_value(out, f, text)) is not None:
        res = part   # "bé tên Trần Minh Khôi" → the name; "Thửa số 25" → 25
    if res is None or res.value is None:
        return (res.reason if res is not None else None) or "Thông tin chưa hợp lệ."
    return {f.id: res.value}, res


# --- review ------------------------------------------------------------------------------------

def _review_fields(state: ConversationState, proc: Procedure, flow: Flow) -> list[FormField]:
    values = state.field_map
    return [f for f in (proc.form_field(fid) for fid in applicable_fields(flow, state.answer_map))
            if f is not None and f.id in values]


def show_review(state: ConversationState, out: Out, proc: Procedure, flow: Flow) -> ConversationState:
    """One summary of every collected field and the checklist; confirm, or pick a field to correct."""
    answers = state.answer_map
    values = state.field_map
    lines = [out.p("review_title")]
    fields = _review_fields(state, proc, flow)
    groups = _by_section(fields)
    for section, members in groups:
        if section and len(groups) > 1:   # one block per person, as on the form
            lines.append(f"\n{section}")
        for f in members:
            shown = display_value(f, values[f.id]) if values[f.id] else "—"
            if f.id in state.unsure and values[f.id]:
                shown += " " + out.p("review_unsure_mark")
            lines.append(f"• {f.label}: {shown}")
    docs = applicable_docs(flow, answers)
    if docs:
        lines.append("")
        lines.append(out.p("documents_answer", name=proc.name))
        for d in docs:
            doc = proc.document(d)
            if doc and _produced(proc, d):
                lines.append(f"✓ {doc.name} {out.p('doc_prefilled')}")
            elif doc:
                mark = "✗ (còn thiếu)" if d in state.docs_missing else "✓"
                lines.append(f"{mark} {doc.name}")
    buttons = [Button(out.p("review_confirm" if proc.form else "review_confirm_checklist"), CONFIRM)]
    if fields:
        buttons.append(Button(out.p("review_edit_menu"), EDIT))
    btns = tuple(buttons)
    out.say("\n".join(lines), btns)
    return replace(state, pending=Pending(PendingKind.REVIEW, None, btns))


def _by_section(fields: list[FormField]) -> list[tuple[str | None, list[FormField]]]:
    """Fields grouped by their form section (the person they are about), in form order."""
    groups: list[tuple[str | None, list[FormField]]] = []
    for f in fields:
        if groups and groups[-1][0] == f.section:
            groups[-1][1].append(f)
        else:
            groups.append((f.section, [f]))
    return groups


def _edit_menu(state: ConversationState, out: Out, proc: Procedure, flow: Flow,
               section: int | None = None) -> ConversationState:
    """Which answer to correct: first whose (a few sections), then which of theirs — never 20 buttons at once."""
    groups = _by_section(_review_fields(state, proc, flow))
    back = Button(out.p("review_back"), "/xemlai")
    if section is None and len(groups) > 1 and sum(len(g) for _, g in groups) > 8:
        buttons = tuple(Button(name or out.p("review_other"), f"{EDIT} #{i}") for i, (name, _) in enumerate(groups))
        out.phrase("review_pick_section", buttons=buttons + (back,))
        return replace(state, pending=Pending(PendingKind.REVIEW, "edit", buttons + (back,)))
    members = groups[section][1] if section is not None and 0 <= section < len(groups) else \
        [f for _, g in groups for f in g]
    buttons = tuple(Button(f.label, f"{EDIT} {f.id}") for f in members) + (back,)
    out.phrase("review_pick_field", buttons=buttons)
    return replace(state, pending=Pending(PendingKind.REVIEW, "edit", buttons))


def answer_review(state: ConversationState, out: Out, raw: str, folded: str, affirm: bool | None) -> ConversationState | None:
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    if proc is None or flow is None or state.pending is None:
        return None
    in_menu = state.pending.ref == "edit"
    raw = _numbered_switch(state.pending, folded) or raw
    if raw.startswith(SWITCH_ANSWER + " "):
        return show_review(_switch_answer(state, out, flow, raw), out, proc, flow)
    if raw == CONFIRM or (not in_menu and (folded in {"xac nhan", "dong y", "ok", "dung roi", "chinh xac", "1"}
                                            or affirm is True)):
        return confirm_review(state, out, proc, flow)
    if raw == "/xemlai":
        return show_review(state, out, proc, flow)
    fid: str | None = None
    if raw.startswith(EDIT + " #") and raw.removeprefix(EDIT + " #").strip().isdigit():
        return _edit_menu(state, out, proc, flow, int(raw.removeprefix(EDIT + " #")))
    if raw.startswith(EDIT + " "):
        fid = raw.removeprefix(EDIT + " ").strip()
    elif raw == EDIT or (not in_menu and (folded in {"sua", "sua thong tin", "2"} or affirm is False)):
        return _edit_menu(state, out, proc, flow)
    elif in_menu:
        pick = None
        if folded.isdigit() and 1 <= int(folded) <= len(state.pending.buttons):
            pick = state.pending.buttons[int(folded) - 1]
        else:
            pick = next((b for b in state.pending.buttons if folded and fold(b.title) == folded), None)
        if pick is not None:
            if pick.payload == "/xemlai":
                return show_review(state, out, proc, flow)
            if pick.payload.startswith(EDIT + " #"):
                return _edit_menu(state, out, proc, flow, int(pick.payload.removeprefix(EDIT + " #")))
            fid = pick.payload.removeprefix(EDIT + " ")
    f = proc.form_field(fid) if fid else None
    if f is None:
        return None
    out.phrase("review_edit_ask", label=f.label, buttons=_field_buttons(f))
    return replace(state, pending=Pending(PendingKind.REVIEW_EDIT, f.id, _field_buttons(f)))


def answer_review_edit(state: ConversationState, out: Out, text: str) -> ConversationState | None:
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    f = proc.form_field(state.pending.ref or "") if proc and state.pending else None
    if f is None or flow is None or proc is None:
        return None
    res = validate(out, f, text)
    if res.value is None:
        out.emit(ev.FieldRejected(procedure_id=proc.id, field_id=f.id, field_type=f.type))
        out.phrase("field_invalid", reason=res.reason)
        return state
    value = res.value
    state = state.with_field(f.id, value).with_unsure(f.id, res.check is not None or res.unsure)
    out.phrase("field_saved", label=f.label, value=display_value(f, value))
    if (bad := flow.failed_check(f.id, state.answer_map, state.field_map, out.ctx.today)) is not None:
        return _review_conflict(state, out, proc, flow, bad)
    return show_review(state, out, proc, flow)


def _review_conflict(state: ConversationState, out: Out, proc: Procedure, flow: Flow,
                     bad: tuple[Check, int]) -> ConversationState:
    """At the review, a contradiction blocks the draft: change the answer, or correct the field."""
    buttons = _say_conflict(out, proc, flow, state, *bad)
    f = proc.form_field(bad[0].field)
    if f is not None:
        buttons += (Button(out.p("check_edit", label=f.label[:1].lower() + f.label[1:]), f"{EDIT} {f.id}"),)
    if isinstance(last := out.replies[-1], Text):  # the conflict's own message takes the buttons
        out.replies[-1] = replace(last, buttons=buttons)
    return replace(state, pending=Pending(PendingKind.REVIEW, None, buttons))


def confirm_review(state: ConversationState, out: Out, proc: Procedure, flow: Flow,
                   ask_commune: bool = True) -> ConversationState:
    """The summary confirmed: the draft is made (its commune asked first in a province deployment)."""
    answers = state.answer_map
    if (bad := flow.failed_check(None, answers, state.field_map, out.ctx.today)) is not None:
        return _review_conflict(state, out, proc, flow, bad)
    if ask_commune and (asked := ensure_commune(state, out, DRAFT)) is not None:
        return asked   # "Kính gửi" and the desk follow the citizen's commune
    fields = {k: v for k, v in state.fields if k in applicable_fields(flow, answers)}
    docs = applicable_docs(flow, answers)
    produced = [d for d in docs if _produced(proc, d)]   # the draft is this form: supplied, never lacking
    code = out.ctx.new_draft_code
    out.emit(ev.DraftRequested(
        procedure_id=proc.id,
        code=code,
        answers=answers,
        fields=fields,
        applicable_docs=docs,
        docs_missing=[d for d in state.docs_missing if d not in produced],
        docs_have=list(state.docs_have) + [d for d in produced if d not in state.docs_have],
        unsure=[k for k in state.unsure if fields.get(k)],
    ))
    out.emit(ev.StepCompleted(procedure_id=proc.id, step_id=state.step_id))
    out.phrase("review_done" if proc.form else "review_done_checklist", name=proc.name, code=code or "")
    return replace(state, phase="done", pending=None, last_draft=code or state.last_draft)


# --- handoff -----------------------------------------------------------------------------------

def request_handoff(state: ConversationState, out: Out, reason: str, step_id: str | None = None,
                    ask_commune: bool = True) -> ConversationState:
    """Queue the conversation for a person of the digital team (the handoff room does the rest)."""
    if state.mode != "bot":
        say_waiting(out)
        return state
    if ask_commune and (asked := ensure_commune(state, out, reason)) is not None:
        return asked   # a province deployment: the citizen's commune decides whose queue
    state = close_question(state)
    out.emit(ev.HandoffRequested(reason=reason, procedure_id=state.procedure_id, step_id=step_id or state.step_id))
    if out.ctx.humans_on_duty:
        out.phrase("handoff_requested")
    else:
        skip = (Button(out.p("callback_skip"), SKIP),)
        out.phrase("handoff_off_hours", when=_duty_when(out), buttons=skip)
        return replace(state, mode="waiting_human", pending=Pending(PendingKind.CALLBACK_PHONE, None, skip), resume=state.pending)
    return replace(state, mode="waiting_human")


def _duty_when(out: Out) -> str:
    return out.ctx.next_duty_text or "giờ hành chính ngày làm việc tiếp theo"


def say_waiting(out: Out) -> None:
    """While waiting for a person: off hours, the same time the off-hours answer gave, never "sớm"."""
    if out.ctx.humans_on_duty:
        out.phrase("handoff_waiting")
    else:
        out.phrase("handoff_waiting_off_hours", when=_duty_when(out))


def _looks_like_phone(raw: str) -> bool:
    """A message that is mostly digits is an attempt at a number (refuse it), not a message for the officer."""
    compact = "".join(raw.split())
    digits = sum(ch.isdigit() for ch in compact)
    return digits >= 3 and digits * 2 >= len(compact)


def answer_callback_phone(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState | None:
    """The call-back number left off hours: validated like every phone field; free text goes to the officer."""
    if raw == SKIP or folded in {"bo qua", "khong", "ko", "/boqua", "khong can"}:
        out.phrase("callback_skipped", when=_duty_when(out))
        return replace(state, pending=state.resume, resume=None)
    res = validate_field("phone", raw, today=out.ctx.today)
    if res.ok and res.value:
        out.emit(ev.CallbackRequested(phone=res.value))
        out.phrase("callback_noted", phone=res.display or res.value, when=_duty_when(out))
        return replace(state, pending=state.resume, resume=None)
    if _looks_like_phone(raw):
        out.phrase("callback_invalid", reason=res.reason or "", buttons=state.pending.buttons if state.pending else ())
        return state
    return None
