"""The dialogue engine: ``step(state, input, ctx) -> Turn``. Pure: no I/O, no clock, no randomness.

Order of a citizen turn: welcome on first contact → global commands (restart, back, human,
help, delete, drafts) → human mode → the pending question → free text through the NLU.
"""
from __future__ import annotations

from dataclasses import replace

from nlu.api import ParseContext, Understanding
from nlu.fields import validate_field

from bot.content import elsewhere
from bot.content.flow import FieldsStep, QuestionStep
from bot.engine import answers as ans
from bot.engine import events as ev
from bot.engine.claim import answer_claim_phone, claim_request, start_claim
from bot.engine.context import TurnContext
from bot.engine.flowrun import (
    answer_document,
    answer_field,
    answer_question,
    answer_review,
    advance,
    answer_review_edit,
    applicable_docs,
    display_value,
    fee_line,
    human_button,
    match_option,
    prompt_field,
    reprompt,
    request_handoff,
    show_review,
    start_flow,
)
from bot.engine.identify import (
    CONTINUE_REF,
    PICK,
    SWITCH_NO,
    answer_clarify,
    candidates,
    clarification_failed,
    clarify,
    is_confident,
    start_procedure,
)
from bot.engine.inputs import (
    AgentClaimed,
    AgentClosed,
    AgentReturned,
    AgentSaid,
    AgentSetField,
    CitizenSaid,
    Input,
    Notify,
)
from bot.engine.messages import Button, Text
from bot.engine.state import ConversationState, Pending
from bot.engine.status import answer_status, answer_status_code
from bot.engine.text import (
    BACK_WORDS,
    DOCUMENTS_CUES,
    LEGAL_CUES,
    DELETE_WORDS,
    DRAFTS_WORDS,
    HELP_WORDS,
    HUMAN_WORDS,
    RESTART_WORDS,
    asks_office_hours,
    clean,
    fold,
)
from bot.engine.turn import Out, Turn

QUESTION_INTENTS = {"ask_fee", "ask_duration", "ask_where"}
SIDE_KINDS = {"rating", "confirm_delete", "callback_phone", "claim_phone"}
RATING_BUTTONS = tuple(Button(str(i), f"/danhgia {i}") for i in range(1, 6))


def nlu_context(state: ConversationState) -> ParseContext:
    """What the NLU should read a message against."""
    expecting = None
    if state.pending is not None:
        expecting = {"question": "choice", "document": "yes_no", "clarify": "choice", "review": "choice",
                     "offer_human": "yes_no", "confirm_delete": "yes_no", "rating": "number"}.get(state.pending.kind)
        if state.pending.kind in ("field", "review_edit", "callback_phone", "claim_phone"):
            expecting = "field"
    return ParseContext(procedure_id=state.procedure_id, expecting=expecting)


def needs_nlu(state: ConversationState, text: str) -> bool:
    """Whether this message needs the classifier: button payloads, typed button titles or numbers, and plain
    field answers are read without it (cheaper, and a name is never misread as an intent)."""
    if text.startswith("/"):
        return False
    p = state.pending
    if p is None or state.mode == "human":
        return state.mode != "human"
    if p.kind == "claim_phone":
        return False
    if p.kind in ("field", "review_edit", "callback_phone"):
        return "?" in text  # only a question can interrupt a field (see `_is_interruption`)
    folded = fold(text)
    if folded.isdigit() and 1 <= int(folded) <= len(p.buttons):
        return False
    return not any(folded == fold(b.title) for b in p.buttons)


def step(state: ConversationState, inp: Input, ctx: TurnContext) -> Turn:
    """Apply one input to the conversation."""
    out = Out(ctx)
    if isinstance(inp, CitizenSaid):
        return out.turn(_citizen(state, inp, out))
    if isinstance(inp, AgentClaimed):
        out.phrase("handoff_agent_joined", agent=inp.agent_name)
        out.emit(ev.AGENT_CLAIMED, agent=inp.agent_name)
        return out.turn(replace(state, mode="human", agent=inp.agent_name))
    if isinstance(inp, AgentSaid):
        out.replies.append(Text(text=clean(inp.text), sender="agent"))
        return out.turn(state)
    if isinstance(inp, AgentSetField):
        return out.turn(state.with_field(inp.field_id, inp.value))
    if isinstance(inp, AgentReturned):
        out.emit(ev.AGENT_RETURNED, agent=inp.agent_name, step_id=inp.step_id)
        out.phrase("handoff_returned")
        state = replace(state, mode="bot", agent=None, misses=0, clarify_failures=0)
        return out.turn(_ask_rating(_return_to_step(state, out, inp.step_id), out))
    if isinstance(inp, AgentClosed):
        out.emit(ev.AGENT_CLOSED, agent=inp.agent_name)
        out.phrase("handoff_closed")
        state = replace(state, mode="bot", agent=None, phase="idle", procedure_id=None, step_id=None, pending=None)
        return out.turn(_ask_rating(state, out))
    if isinstance(inp, Notify):
        out.say(inp.text)
        return out.turn(state)
    raise TypeError(f"unknown input {type(inp).__name__}")  # pragma: no cover - programming error


# --- citizen turn ------------------------------------------------------------------------------

def _citizen(state: ConversationState, inp: CitizenSaid, out: Out) -> ConversationState:
    msg = inp.message
    raw = clean(msg.content)
    folded = fold(raw)
    u = inp.understanding or Understanding(text=raw)
    first = not state.welcomed
    if first:
        state = replace(state, welcomed=True)
        consent = out.p("consent", privacy_url=out.ctx.privacy_url)
        if folded in {"/start", "start", ""} or u.label == "greet" and u.confidence >= out.ctx.thresholds.intent:
            out.phrase("welcome")
            out.say(consent)
            return state
        out.say(out.p("welcome_brief") + " " + consent)   # they already said what they need: one greeting line

    if inp.extracted or inp.extract_error:
        return _attachment(state, inp, out)
    if not raw:
        if msg.attachment is not None:
            out.phrase("attachment_unsupported")
            return reprompt(state, out)
        out.phrase("not_understood")
        return state

    # Global commands work anywhere, also while an agent is on the line.
    cmd = _command(raw, folded)
    if cmd == "restart":
        out.emit(ev.RESTARTED, procedure_id=state.procedure_id)
        if state.mode != "bot":
            out.emit(ev.HANDOFF_CANCELLED)
        out.phrase("restarted")
        out.phrase("ask_procedure")
        return ConversationState(welcomed=True, last_draft=state.last_draft, contact=state.contact)
    if cmd == "human":
        return request_handoff(state, out, "citizen_request")
    if cmd == "delete":
        buttons = (Button(out.p("delete_yes"), "/xoadulieu_xacnhan"), Button(out.p("delete_no"), "/xoadulieu_khong"))
        out.phrase("confirm_delete", buttons=buttons)
        return _side_question(state, Pending("confirm_delete", None, buttons))
    if cmd == "help":
        out.phrase("help")
        return reprompt(state, out)
    if cmd == "drafts":
        return _drafts(state, out)
    if cmd == "fee_detail" and (proc := out.ctx.content.procedure(state.procedure_id or "")) is not None:
        ans.answer_fee(out, proc)   # "Xem căn cứ" under the one-line fee answer
        return reprompt(state, out)

    if state.mode == "human":
        out.emit(ev.CITIZEN_MESSAGE_FOR_AGENT, text=raw)
        return state

    if cmd == "back":
        return _back(state, out)

    claim = claim_request(raw, folded)   # "/nhan KS-7F3K2Q": a draft made at the desk (bot/engine/claim.py)
    if claim is not None:
        return start_claim(state, out, claim)

    if state.pending is not None:
        handled = _answer_pending(state, inp, out, raw, folded, u)
        if handled is not None:
            return handled

    return _free_text(state, out, raw, folded, u)


def _command(raw: str, folded: str) -> str | None:
    if raw.startswith("/"):
        head = raw.split()[0].lower()
        table = {"/huy": "restart", "/restart": "restart", "/canbo": "human", "/human": "human",
                 "/xoadulieu": "delete", "/help": "help", "/trogiup": "help", "/hoso": "drafts",
                 "/quaylai": "back", "/back": "back", "/lephi": "fee_detail"}
        if head in table:
            return table[head]
    if folded in RESTART_WORDS:
        return "restart"
    if folded in HUMAN_WORDS:
        return "human"
    if folded in DELETE_WORDS:
        return "delete"
    if folded in HELP_WORDS:
        return "help"
    if folded in BACK_WORDS:
        return "back"
    if folded in DRAFTS_WORDS:
        return "drafts"
    return None


def _affirm(u: Understanding, out: Out) -> bool | None:
    if u.label in ("affirm", "deny") and u.confidence >= out.ctx.thresholds.intent:
        return u.label == "affirm"
    return None


def _answer_pending(state: ConversationState, inp: CitizenSaid, out: Out, raw: str, folded: str,
                    u: Understanding) -> ConversationState | None:
    p = state.pending
    assert p is not None
    kind = p.kind
    if kind == "status_code":  # which draft the citizen asks about (bot/engine/status.py)
        return answer_status_code(state, out, raw, lambda s: _free_text(s, out, raw, folded, u))
    if kind == "clarify":
        return answer_clarify(state, out, raw, folded)
    if kind == "question":
        flow = out.ctx.content.flow(state.procedure_id)
        step = next((s for s in flow.steps if s.id == p.ref), None) if flow else None
        if isinstance(step, QuestionStep):
            opt = match_option(step, raw, folded, _affirm(u, out))
            if opt is not None:
                return answer_question(state, out, step, opt)
        return None
    if kind == "document":
        return answer_document(state, out, raw, folded, _affirm(u, out))
    if kind == "field":
        if _is_interruption(u, out, raw):
            return None
        return answer_field(state, out, raw, folded, clean(inp.message.content))
    if kind == "review":
        return answer_review(state, out, raw, folded, _affirm(u, out))
    if kind == "review_edit":
        return answer_review_edit(state, out, clean(inp.message.content))
    if kind == "rating":
        digits = raw.removeprefix("/danhgia ").strip()
        if digits in {"1", "2", "3", "4", "5"}:
            out.emit(ev.RATING_GIVEN, rating=int(digits))
            out.phrase("rating_thanks")
            return _resume(state, out)
        return None
    if kind == "offer_human":
        yes = raw == "/canbo" or _affirm(u, out) is True or folded in {"co", "gap can bo", "1"}
        if yes:
            return request_handoff(replace(state, pending=None), out, "clarification_failed")
        if raw == "/huy" or _affirm(u, out) is False or folded in {"thu lai", "khong", "2"}:
            out.phrase("ask_procedure")
            return replace(state, pending=None, phase="idle")
        return None
    if kind == "status_warning":
        if raw == CONTINUE_REF or folded in {"xem huong dan tham khao", "tham khao", "2"}:
            flow = out.ctx.content.flow(state.procedure_id)
            return start_flow(replace(state, pending=None), out, flow) if flow else None
        if folded in {"1", "gap can bo"}:
            return request_handoff(replace(state, pending=None), out, "status_uncertain")
        return None
    if kind == "confirm_delete":
        if raw == "/xoadulieu_xacnhan" or folded in {"xoa du lieu", "xoa", "dong y", "co", "1"}:
            out.emit(ev.DATA_DELETION_REQUESTED)
            out.phrase("deleted")
            return ConversationState(welcomed=True)
        out.phrase("delete_cancelled")
        return _resume(state, out)
    if kind == "switch_confirm":
        return _answer_switch(state, out, raw, folded, _affirm(u, out))
    if kind == "claim_phone":
        return answer_claim_phone(state, out, raw, folded)
    if kind == "callback_phone":
        if folded in {"bo qua", "khong", "ko", "/boqua"}:
            return replace(state, pending=state.resume, resume=None)
        res = validate_field("phone", raw, today=out.ctx.today)
        if res.ok and res.value:
            out.emit(ev.CALLBACK_REQUESTED, phone=res.value)
            out.phrase("callback_noted", phone=res.display or res.value,
                       when=out.ctx.next_duty_text or "giờ hành chính ngày làm việc tiếp theo")
            return replace(state, pending=state.resume, resume=None)
        return None
    return None


def _is_interruption(u: Understanding, out: Out, raw: str) -> bool:
    """While a field is asked, only a confident question or human request interrupts."""
    if u.label in QUESTION_INTENTS | {"request_human", "restart"} and u.confidence >= 0.8 and "?" in raw:
        return True
    return False


def _free_text(state: ConversationState, out: Out, raw: str, folded: str, u: Understanding) -> ConversationState:
    th = out.ctx.thresholds
    label, conf = u.label, u.confidence
    current = out.ctx.content.procedure(state.procedure_id)
    other = is_confident(u, out)
    if asks_office_hours(folded) and (other is None or conf < 0.9):   # only a sure procedure beats the cue
        if out.ctx.office_hours:
            out.phrase("office_hours", hours=out.ctx.office_hours)
        else:
            out.phrase("office_hours_unknown", buttons=(Button(out.p("human_button"), "/canbo"),))
        return reprompt(state, out)
    if state.mode != "waiting_human" and (other is None or label == "out_of_scope"):
        away = elsewhere.match(out.ctx.content.elsewhere, raw)
        if away is not None:
            ans.answer_elsewhere(out, away)
            return reprompt(state, out)
    if current is not None and (other is None or other == current.id):
        if any(c in folded for c in DOCUMENTS_CUES):
            flow = out.ctx.content.flow(current.id)
            docs = applicable_docs(flow, state.answer_map) if flow and state.phase != "idle" else None
            ans.answer_documents(out, current, docs if docs and state.step_id and _past_questions(state, out) else None)
            return reprompt(state, out)
        if any(c in folded for c in LEGAL_CUES):
            ans.answer_legal(out, current)
            return reprompt(state, out)
    if label in QUESTION_INTENTS and conf >= th.intent:
        target = current
        procs = u.procedures()
        if procs and procs[0].confidence >= 0.3 and procs[0].label in out.ctx.content.procedures:
            target = out.ctx.content.procedures[procs[0].label]
        if target is None:
            out.phrase("which_procedure_for_question")
            return state
        line = fee_line(state, out) if label == "ask_fee" and target is current else None
        if line:   # this citizen's case in one line; the rule and its sources behind a button
            out.say(line, (Button(out.p("fee_detail_button"), "/lephi"),))
        else:
            {"ask_fee": ans.answer_fee, "ask_duration": ans.answer_duration, "ask_where": ans.answer_where}[label](out, target)
        return reprompt(state, out)
    if label == "request_human" and conf >= th.intent:
        return request_handoff(state, out, "citizen_request")
    if label == "restart" and conf >= 0.7:
        out.emit(ev.RESTARTED, procedure_id=state.procedure_id)
        out.phrase("restarted")
        out.phrase("ask_procedure")
        return ConversationState(welcomed=True, last_draft=state.last_draft, contact=state.contact)
    if label == "ask_status" and conf >= th.intent:
        return _status(state, out)
    if label in ("greet", "thanks", "goodbye") and conf >= th.intent:
        out.phrase(label)
        return reprompt(state, out) if state.pending is not None else state
    if state.mode == "waiting_human":
        out.emit(ev.CITIZEN_MESSAGE_FOR_AGENT, text=raw)
        out.phrase("handoff_waiting")
        return state

    pid = is_confident(u, out)
    if pid is not None:
        if pid == state.procedure_id and state.phase == "flow":
            return reprompt(state, out)
        if _has_progress(state) and pid in out.ctx.content.procedures:
            return _confirm_switch(state, out, pid)
        return start_procedure(state, out, pid, conf)
    cands = candidates(u, out)
    if label == "out_of_scope" and conf >= th.intent and not (cands and u.procedures()[0].confidence >= 0.2):
        out.emit(ev.UNRECOGNIZED, text=raw, label=label, confidence=round(conf, 4))
        out.phrase("out_of_scope")
        return _missed(state, out)
    if state.phase == "flow" and state.pending is not None:
        # Inside a flow, an unclear message is most likely a failed answer: ask again, don't re-identify.
        if state.pending.buttons:
            out.phrase("question_pick")
        return _missed(reprompt(state, out), out)
    if cands and (label is None or "." in label or conf < th.intent):
        out.emit(ev.UNRECOGNIZED, text=raw, label=label, confidence=round(conf, 4))
        failures = state.clarify_failures + (1 if state.phase == "clarify" else 0)
        state = replace(state, clarify_failures=failures)
        if failures >= th.max_clarify_failures:
            return clarification_failed(state, out)
        return clarify(state, out, cands, 0)
    out.emit(ev.UNRECOGNIZED, text=raw, label=label, confidence=round(conf, 4))
    out.phrase("not_understood")
    return _missed(state, out)


def _has_progress(state: ConversationState) -> bool:
    """A citizen who has answered something in a flow should not lose their place to one misread message."""
    return state.phase == "flow" and state.procedure_id is not None and bool(
        state.answers or state.fields or state.docs_have or state.docs_missing)


def _confirm_switch(state: ConversationState, out: Out, pid: str) -> ConversationState:
    current, new = out.ctx.content.procedures[state.procedure_id], out.ctx.content.procedures[pid]
    buttons = (Button(out.p("switch_yes"), PICK + pid), Button(out.p("switch_no"), SWITCH_NO))
    out.emit(ev.SWITCH_OFFERED, procedure_id=pid, current=current.id)
    out.phrase("switch_confirm", current=current.name, new=new.name, buttons=buttons)
    return replace(state, pending=Pending("switch_confirm", pid, buttons), resume=state.pending)


def _answer_switch(state: ConversationState, out: Out, raw: str, folded: str, yes: bool | None) -> ConversationState | None:
    p = state.pending
    assert p is not None and p.ref is not None
    if raw == PICK + p.ref or folded in {"1", "chuyen", "chuyen sang thu tuc moi"} or yes is True:
        return start_procedure(replace(state, pending=None, resume=None), out, p.ref, 1.0)
    if raw == SWITCH_NO or folded in {"2", "tiep tuc", "tiep tuc thu tuc dang lam"} or yes is False:
        return _resume(state, out)
    return None


def _past_questions(state: ConversationState, out: Out) -> bool:
    """True once the eligibility questions are answered, so the document list fits this citizen."""
    flow = out.ctx.content.flow(state.procedure_id)
    if flow is None or state.step_id is None:
        return False
    idx = flow.step_index(state.step_id) or 0
    return not any(isinstance(s, QuestionStep) for s in flow.steps[idx:])


def _missed(state: ConversationState, out: Out, offer: bool = True) -> ConversationState:
    misses = state.misses + 1
    state = replace(state, misses=misses)
    if offer and misses >= out.ctx.thresholds.max_clarify_failures and state.mode == "bot":
        out.emit(ev.CLARIFICATION_FAILED, failures=misses, candidates=[])
        buttons = (Button(out.p("offer_human_yes"), "/canbo"),)
        out.phrase("clarify_failed", buttons=buttons)
        return replace(state, misses=0)
    return state


def _back(state: ConversationState, out: Out) -> ConversationState:
    if not state.history:
        out.phrase("back_nothing")
        return reprompt(state, out)
    prev = state.history[-1]
    state = replace(state.restore(prev), history=state.history[:-1])
    out.phrase("back_done")
    return reprompt(state, out)


def _side_question(state: ConversationState, pending: Pending) -> ConversationState:
    """Ask something outside the flow; the flow's own question is kept to ask again after."""
    keep = state.resume if state.pending is not None and state.pending.kind in SIDE_KINDS else state.pending
    return replace(state, pending=pending, resume=keep)


def _resume(state: ConversationState, out: Out) -> ConversationState:
    """Back to the flow's question after a side question (rating, deletion, call-back)."""
    return reprompt(replace(state, pending=state.resume, resume=None), out)


def _ask_rating(state: ConversationState, out: Out) -> ConversationState:
    out.phrase("rating_ask", buttons=RATING_BUTTONS)
    return _side_question(state, Pending("rating", None, RATING_BUTTONS))


def _return_to_step(state: ConversationState, out: Out, step_id: str | None) -> ConversationState:
    """Position the flow at ``step_id`` (or keep the current step), ready to prompt it again."""
    flow = out.ctx.content.flow(state.procedure_id)
    if flow is None:
        return replace(state, phase="idle", pending=None)
    idx = flow.step_index(step_id) if step_id else (flow.step_index(state.step_id) if state.step_id else 0)
    sub = Out(out.ctx)
    new = advance(replace(state, pending=None), sub, idx or 0)
    # The prompt is shown after the rating, not now: keep only events.
    out.events += sub.events
    return new


def _attachment(state: ConversationState, inp: CitizenSaid, out: Out) -> ConversationState:
    """Fields decoded from a CCCD photo by the runtime: fill them and show for confirmation."""
    if inp.extract_error:
        out.say(inp.extract_error)
        return reprompt(state, out)
    proc = out.ctx.content.procedure(state.procedure_id)
    if proc is None or proc.form is None:
        out.phrase("attachment_unsupported")
        return reprompt(state, out)
    lines = [out.p("cccd_filled")]
    for fid, value in inp.extracted.items():
        f = proc.form_field(fid)
        if f is None:
            continue
        state = state.with_field(fid, value)
        lines.append(f"• {f.label}: {display_value(f, value)}")
        out.emit(ev.FIELD_COLLECTED, procedure_id=proc.id, field_id=fid, source="cccd_qr")
    lines.append(out.p("cccd_confirm"))
    out.say("\n".join(lines))
    if state.pending is not None and state.pending.kind == "field" and state.pending.ref in inp.extracted:
        flow = out.ctx.content.flow(state.procedure_id)
        step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
        if isinstance(step, FieldsStep):
            return prompt_field(state, out, proc, step)
    if state.pending is not None and state.pending.kind == "review":
        flow = out.ctx.content.flow(state.procedure_id)
        if flow:
            return show_review(state, out, proc, flow)
    return reprompt(state, out)


def _drafts(state: ConversationState, out: Out) -> ConversationState:
    drafts = out.ctx.drafts
    out.emit(ev.DRAFTS_LISTED)
    if not drafts:
        out.phrase("drafts_none")
        return reprompt(state, out)
    lines = [out.p("drafts_list")]
    for d in drafts:
        line = out.p("status_line", code=d.code, name=d.procedure_name, status=d.status)
        if d.official_number:
            line += " " + out.p("status_number", number=d.official_number)
        lines.append(f"• {line}" + (f" {d.url}" if d.url else ""))
    out.say("\n".join(lines))
    return reprompt(state, out)


def _status(state: ConversationState, out: Out) -> ConversationState:
    return answer_status(state, out)


__all__ = ["Turn", "human_button", "needs_nlu", "nlu_context", "step"]
