"""The dialogue engine: ``step(state, input, ctx) -> Turn``. Pure: no I/O, no clock, no randomness.

Order of a citizen turn: welcome on first contact → global commands (restart, back, human,
help, delete, drafts; typed with typos or teencode, or read by the NLU — a restart that would lose answers or is
read by the NLU, and every deletion, ask first) → human mode → the pending question → free text through the NLU.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from bot.content import elsewhere
from bot.content.catalog import Procedure
from bot.content.flow import FieldsStep, QuestionStep
from bot.engine import answers as ans
from bot.engine import events as ev
from bot.engine import online
from bot.engine.claim import answer_claim_phone, claim_request, start_claim
from bot.engine.commune import (
    DRAFT,
    NOTED,
    WHERE,
    Answered,
    answer_commune,
    answer_confirm,
    ask_new_commune,
    asking,
    ensure_commune,
    notice,
    office_lines,
    wants_new_commune,
)
from bot.engine.confused import reask_plainly, wants_plainer
from bot.engine.context import TurnContext
from bot.engine.flowrun import (
    advance,
    answer_callback_phone,
    answer_document,
    answer_field,
    answer_field_check,
    answer_question,
    answer_review,
    answer_review_edit,
    applicable_docs,
    confirm_review,
    display_value,
    fee_line,
    human_button,
    match_option,
    prompt_field,
    reprompt,
    request_handoff,
    say_waiting,
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
    lookalikes,
    named_outright,
    ranked_procedures,
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
from bot.engine.state import SIDE_KINDS, ConversationState, Pending, PendingKind, replace
from bot.engine.status import answer_status, answer_status_code
from bot.engine.text import (
    BACK_WORDS,
    DELETE_WORDS,
    DOCUMENTS_CUES,
    DRAFTS_WORDS,
    HELP_WORDS,
    HUMAN_WORDS,
    LEGAL_CUES,
    NLU_COMMANDS,
    RESTART_WORDS,
    asks_deletion,
    asks_office_hours,
    asks_redo,
    clean,
    command_key,
    command_keys,
    fold,
)
from bot.engine.turn import Out, Turn
from nlu.api import ParseContext, Understanding

QUESTION_INTENTS = {"ask_fee", "ask_duration", "ask_where"}
# The restart question's own answers: the "Làm lại" button ("/huy") tapped twice must not erase by itself.
RESTART_YES, RESTART_NO = "/huy_xacnhan", "/huy_khong"
RATING_BUTTONS = tuple(Button(str(i), f"/danhgia {i}") for i in range(1, 6))


@dataclass(frozen=True, slots=True)
class TurnNeeds:
    """What the runtime fetches before `step` for one citizen message, so it never reads the state itself."""

    nlu: ParseContext | None        # classify the text against this context; None: read without the classifier
    drafts: bool                    # list the citizen's drafts ("/hoso", or the bot asked which draft)
    draft_code_for: str | None      # make a new draft code for this procedure (the summary is being answered)
    receipt_for: str | None = None  # a photo now is the portal receipt of this draft (the bot asks its code)

    def wants_drafts(self, understanding: Understanding | None) -> bool:
        """The drafts are also needed when the classifier read a status question."""
        return self.drafts or (understanding is not None and understanding.label == "ask_status")


def turn_needs(state: ConversationState, text: str) -> TurnNeeds:
    """What a turn on ``text`` needs, from what the bot is waiting for (`WAITING`) and the text itself."""
    prefetch = WAITING[state.pending.kind].prefetch if state.pending is not None else frozenset()
    nlu = _nlu_context(state) if _needs_nlu(state, text) and text.strip() else None
    drafts = Prefetch.DRAFTS in prefetch or fold(text) in DRAFTS_WORDS or text.startswith("/hoso")
    before_draft = state.pending is not None and asking(state) and state.pending.ref == DRAFT
    code_for = state.procedure_id if Prefetch.DRAFT_CODE in prefetch or before_draft else None
    receipt = state.pending.ref if state.pending is not None and state.pending.kind is PendingKind.ONLINE_CODE else None
    return TurnNeeds(nlu, drafts, code_for, receipt)


def _nlu_context(state: ConversationState) -> ParseContext:
    """What the NLU should read a message against."""
    expecting = WAITING[state.pending.kind].expecting if state.pending is not None else None
    return ParseContext(procedure_id=state.procedure_id, expecting=expecting)


def _needs_nlu(state: ConversationState, text: str) -> bool:
    """Whether this message needs the classifier: button payloads, typed button titles or numbers, and plain
    field answers are read without it (cheaper, and a name is never misread as an intent)."""
    if text.startswith("/"):
        return False
    p = state.pending
    if p is None or state.mode == "human":
        return state.mode != "human"
    reading = WAITING[p.kind].reading
    if reading is Reading.NEVER:
        return False
    if reading is Reading.FIELD:
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
        out.emit(ev.AgentClaimed(agent=inp.agent_name))
        return out.turn(replace(state, mode="human", agent=inp.agent_name))
    if isinstance(inp, AgentSaid):
        out.replies.append(Text(text=clean(inp.text), sender="agent"))
        return out.turn(state)
    if isinstance(inp, AgentSetField):
        return out.turn(state.with_field(inp.field_id, inp.value).with_unsure(inp.field_id, False))
    if isinstance(inp, AgentReturned):
        out.emit(ev.AgentReturned(agent=inp.agent_name, step_id=inp.step_id))
        out.phrase("handoff_returned")
        state = replace(state, mode="bot", agent=None, misses=0, clarify_failures=0)
        return out.turn(_ask_rating(_return_to_step(state, out, inp.step_id), out))
    if isinstance(inp, AgentClosed):
        out.emit(ev.AgentClosed(agent=inp.agent_name))
        out.phrase("handoff_closed")
        state = replace(state, mode="bot", agent=None, phase="idle", procedure_id=None, step_id=None, pending=None)
        return out.turn(_ask_rating(state, out))
    if isinstance(inp, Notify):
        out.say(inp.text)
        return out.turn(online.filed_elsewhere(state, inp.filed) if inp.filed else state)
    raise TypeError(f"unknown input {type(inp).__name__}")  # pragma: no cover - programming error


# --- citizen turn ------------------------------------------------------------------------------

def _citizen(state: ConversationState, inp: CitizenSaid, out: Out) -> ConversationState:
    """One citizen message: welcome, attachments, global commands, then the pending question or free text."""
    msg = inp.message
    raw = clean(msg.content)
    folded = fold(raw)
    u = inp.understanding or Understanding(text=raw)
    if not state.welcomed:
        state, done = _welcome(state, out, folded, u)
        if done:
            return state

    if inp.receipt:
        return online.receipt_received(state, out)   # kept with the draft: the digital team reads the code
    if inp.extracted or inp.extract_error:
        return _attachment(state, inp, out)
    if not raw:
        if msg.attachment is not None and state.pending is not None and state.pending.kind is PendingKind.ONLINE_CODE:
            return online.photo_at_code(state, out)   # a photo of the portal's receipt: the code typed, please
        if msg.attachment is not None:
            out.phrase("attachment_unsupported")
            return _ask_again(state, out)
        out.phrase("not_understood")
        return state

    # Global commands work anywhere, also while an agent is on the line.
    if state.pending is not None and state.pending.kind == PendingKind.CONFIRM_RESTART:
        answered = _answer_restart(state, out, raw, folded, u)
        if answered is not None:
            return answered
        state = replace(state, pending=state.resume, resume=None)   # not an answer: the question is dropped
    cmd = _command(raw, folded) or _nlu_command(u, out)
    if cmd == "ask_restart":   # "/huy", "làm lại": at once when there is nothing to lose, else asked first
        cmd = "confirm_restart" if _something_to_lose(state) else "restart"
    commanded = _global_command(state, out, cmd)
    if commanded is not None:
        return commanded

    if state.mode == "human":
        out.emit(ev.CitizenMessageForAgent(text=raw))
        return state

    if cmd == "back":
        return _back(state, out)

    if wants_new_commune(out, folded):   # "tôi chuyển sang xã khác" (bot/engine/commune.py)
        return ask_new_commune(state, out)
    claim = claim_request(raw, folded)   # "/nhan KS-7F3K2Q": a draft made at the desk (bot/engine/claim.py)
    if claim is not None:
        return start_claim(state, out, claim)

    if state.pending is not None:
        if wants_plainer(state, out, raw, folded):   # "toi khong biet" at a question (bot/engine/confused.py)
            return reask_plainly(state, out)
        if _numbered_human(state.pending, folded):
            return request_handoff(state, out, "citizen_request")
        handled = WAITING[state.pending.kind].handler(state, out, Said(raw, folded, u))
        if handled is not None:
            return handled

    return _free_text(state, out, raw, folded, u)


def _welcome(state: ConversationState, out: Out, folded: str, u: Understanding) -> tuple[ConversationState, bool]:
    """First message: welcome and consent once; True when a bare greeting ends the turn there."""
    state = replace(state, welcomed=True)
    consent = out.p("consent", privacy_url=out.ctx.privacy_url)
    if folded in {"/start", "start", ""} or u.label == "greet" and u.confidence >= out.ctx.thresholds.intent:
        out.phrase("welcome", assistant=out.ctx.assistant_name)
        out.say(consent)
        return state, True
    out.say(out.p("welcome_brief", assistant=out.ctx.assistant_name) + " " + consent)   # they already said what they need: one greeting line
    return state, False


def _global_command(state: ConversationState, out: Out, cmd: str | None) -> ConversationState | None:
    """Commands that work anywhere, also while an agent is on the line; None when ``cmd`` is not one of them."""
    if cmd == "confirm_restart":
        return _confirm_restart(state, out)
    if cmd == "restart":
        return _restart(state, out)
    if cmd == "human":
        return request_handoff(state, out, "citizen_request")
    if cmd == "delete":
        buttons = (Button(out.p("delete_yes"), "/xoadulieu_xacnhan"), Button(out.p("delete_no"), "/xoadulieu_khong"))
        out.phrase("confirm_delete", buttons=buttons)
        return state.ask_aside(Pending(PendingKind.CONFIRM_DELETE, None, buttons))
    if cmd == "help":
        out.phrase("help")
        return reprompt(state, out)
    if cmd == "drafts":
        return _drafts(state, out)
    if cmd == "fee_detail" and (proc := out.ctx.content.procedure(state.procedure_id or "")) is not None:
        ans.answer_fee(out, proc)   # "Xem căn cứ" under the one-line fee answer
        return reprompt(state, out)
    return None


def _numbered_human(p: Pending, folded: str) -> bool:
    """"Gặp cán bộ" chosen by its number on a numbered-menu channel."""
    return folded.isdigit() and 1 <= int(folded) <= len(p.buttons) and p.buttons[int(folded) - 1].payload == "/canbo"


def _command(raw: str, folded: str) -> str | None:
    if raw.startswith("/"):
        head = raw.split()[0].lower()
        table = {"/huy": "ask_restart", "/restart": "ask_restart", RESTART_YES: "restart", "/canbo": "human", "/human": "human",
                 "/xoadulieu": "delete", "/help": "help", "/trogiup": "help", "/hoso": "drafts",
                 "/quaylai": "back", "/back": "back", "/lephi": "fee_detail"}
        if head in table:
            return table[head]
    if folded in RESTART_WORDS:
        return "ask_restart"
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
    cmd = command_keys().get(command_key(raw))   # the same words with typos, teencode, polite fillers
    if cmd is None and asks_deletion(raw):        # "xóa hết thông tin cá nhân tôi đã gửi…" (asked first)
        return "delete"
    if cmd in (None, "delete") and asks_redo(raw):  # "xóa hết thông tin sai để sửa lại": answer again
        return "ask_restart"
    return "ask_restart" if cmd == "restart" else cmd


def _nlu_command(u: Understanding, out: Out) -> str | None:
    """A command the NLU read in the citizen's own words. Restart then asks first (deletion always does), so a
    misread costs one tap; back and help need more confidence as they act at once."""
    cmd = NLU_COMMANDS.get(u.label or "")
    if cmd is None or u.confidence < out.ctx.thresholds.intent:
        return None
    if cmd in ("back", "help") and u.confidence < 0.6:
        return None
    return "confirm_restart" if cmd == "restart" else cmd


def _answer_restart(state: ConversationState, out: Out, raw: str, folded: str,
                    u: Understanding) -> ConversationState | None:
    """The answer to 'start over?': yes (its own payload, or typed) restarts, no resumes; anything else is read as
    a new message, so the "Làm lại" button tapped again asks again instead of erasing (a double tap is safe)."""
    if raw == RESTART_YES or _affirm(u, out) is True or folded in {"co", "dong y", "lam lai", "1",
                                                                  fold(out.p("restart_yes"))}:
        return _restart(state, out)
    if raw == RESTART_NO or _affirm(u, out) is False or folded in {"khong", "ko", "2", fold(out.p("restart_no"))}:
        out.phrase("restart_cancelled")
        return _resume(state, out)
    return None


def _something_to_lose(state: ConversationState) -> bool:
    """A restart would erase answers, fields, documents ticked or the flow's open question: ask first then."""
    if state.phase != "flow":
        return False
    p = state.pending
    flow_question = state.resume if p is not None and p.kind in SIDE_KINDS else p
    return bool(state.answers or state.fields or state.docs_have or state.docs_missing or flow_question)


def _confirm_restart(state: ConversationState, out: Out) -> ConversationState:
    """Ask before starting over; "Tiếp tục" resumes the same question with the back-stack intact."""
    buttons = (Button(out.p("restart_yes"), RESTART_YES), Button(out.p("restart_no"), RESTART_NO))
    out.phrase("confirm_restart_erase" if _something_to_lose(state) else "confirm_restart", buttons=buttons)
    return state.ask_aside(Pending(PendingKind.CONFIRM_RESTART, None, buttons))


def _affirm(u: Understanding, out: Out) -> bool | None:
    if u.label in ("affirm", "deny") and u.confidence >= out.ctx.thresholds.intent:
        return u.label == "affirm"
    return None


# --- what the bot is waiting for: one table --------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Said:
    """A citizen message as the pending-question handlers read it."""

    raw: str                # cleaned text, or the payload of a tapped button
    folded: str             # accent-free lower case, for typed answers
    u: Understanding


def _on_status_code(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    """Which draft the citizen asks about (bot/engine/status.py); anything else is read as usual."""
    return answer_status_code(state, out, s.raw, lambda st: _free_text(st, out, s.raw, s.folded, s.u))


def _on_clarify(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return answer_clarify(state, out, s.raw, s.folded)


def _on_question(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    p = state.pending
    assert p is not None
    flow = out.ctx.content.flow(state.procedure_id)
    step = next((st for st in flow.steps if st.id == p.ref), None) if flow else None
    if isinstance(step, QuestionStep):
        opt = match_option(step, s.raw, s.folded, _affirm(s.u, out))
        if opt is not None:
            return answer_question(state, out, step, opt, start_procedure)
    return None


def _on_document(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return answer_document(state, out, s.raw, s.folded, _affirm(s.u, out))


def _on_field(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    if _is_interruption(s.u, out, s.raw):
        return None
    return answer_field(state, out, s.raw, s.folded, s.raw)


def _on_field_check(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    """"Đúng" / "Sửa" on a value restored with diacritics (flowrun.answer_field_check)."""
    if _is_interruption(s.u, out, s.raw):
        return None
    return answer_field_check(state, out, s.raw, s.folded, s.raw)


def _on_review(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    answered = answer_review(state, out, s.raw, s.folded, _affirm(s.u, out))
    proc = out.ctx.content.procedure(state.procedure_id)
    if answered is not None and answered.phase == "done" and state.phase != "done" and proc is not None:
        return online.offer(answered, out, proc)   # the draft is made: file it online? (bot/engine/online.py)
    return answered


def _on_online_choice(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return online.answer_choice(state, out, s.raw, s.folded)


def _on_online_step(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return online.answer_step(state, out, s.raw, s.folded)


def _on_online_code(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return online.answer_code(state, out, s.raw, s.folded)


def _on_review_edit(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return answer_review_edit(state, out, s.raw)


def _on_rating(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    digits = s.raw.removeprefix("/danhgia ").strip()
    if digits in {"1", "2", "3", "4", "5"}:
        out.emit(ev.RatingGiven(rating=int(digits)))
        out.phrase("rating_thanks")
        return _resume(state, out)
    return None


def _on_offer_human(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    if s.raw == "/canbo" or _affirm(s.u, out) is True or s.folded in {"co", "gap can bo", "1"}:
        return request_handoff(replace(state, pending=None), out, "clarification_failed")
    if s.raw == "/huy" or _affirm(s.u, out) is False or s.folded in {"thu lai", "khong", "2"}:
        out.phrase("ask_procedure")
        return replace(state, pending=None, phase="idle")
    return None


def _on_status_warning(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    if s.raw == CONTINUE_REF or s.folded in {"xem huong dan tham khao", "tham khao", "2"}:
        flow = out.ctx.content.flow(state.procedure_id)
        return start_flow(replace(state, pending=None), out, flow) if flow else None
    if s.folded in {"1", "gap can bo"}:
        return request_handoff(replace(state, pending=None), out, "status_uncertain")
    return None


def _on_confirm_delete(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    if s.raw == "/xoadulieu_xacnhan" or s.folded in {"xoa du lieu", "xoa", "dong y", "co", "1"}:
        out.emit(ev.DataDeletionRequested())
        out.phrase("deleted")
        return ConversationState(welcomed=True)
    out.phrase("delete_cancelled")
    return _resume(state, out)


def _on_switch(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return _answer_switch(state, out, s.raw, s.folded, _affirm(s.u, out))


def _on_confirm_restart(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    """Answered before the commands (`_answer_restart`); kept for the table."""
    return _answer_restart(state, out, s.raw, s.folded, s.u)


def _on_claim_phone(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return answer_claim_phone(state, out, s.raw, s.folded)


def _on_callback_phone(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    return answer_callback_phone(state, out, s.raw, s.folded)


def _on_commune(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    """The commune named: remembered, then what it was asked for (bot/engine/commune.py)."""
    return _after_commune(answer_commune(state, out, s.raw), out)


def _on_commune_confirm(state: ConversationState, out: Out, s: Said) -> ConversationState | None:
    """"Đúng" / "Không phải" to a guessed commune; other text is read as usual."""
    answered = answer_confirm(state, out, s.raw, s.folded, _affirm(s.u, out))
    return None if answered is None else _after_commune(answered, out)


def _after_commune(answered: Answered | ConversationState, out: Out) -> ConversationState:
    """What the commune was asked for: the handoff, the draft, the where-to-submit answer, or nothing."""
    if not isinstance(answered, Answered):
        return answered   # still asking
    state, reason = answered.state, answered.reason
    if reason == DRAFT:
        proc = out.ctx.content.procedure(state.procedure_id)
        flow = out.ctx.content.flow(state.procedure_id)
        if proc is not None and flow is not None and state.pending and state.pending.kind == PendingKind.REVIEW:
            return confirm_review(state, out, proc, flow, ask_commune=False)
        return reprompt(state, out)
    if reason.startswith(WHERE):
        return _answer_where(state, out, out.ctx.content.procedure(reason[len(WHERE):] or None), ask=False)
    if reason and reason != NOTED:
        return request_handoff(state, out, reason, ask_commune=False)
    return reprompt(state, out)


def _answer_where(state: ConversationState, out: Out, target: Procedure | None, ask: bool = True) -> ConversationState:
    """"Nộp ở đâu": the procedure's place of submission, then the citizen's own commune's desk (asked first in a
    province deployment when it is not known)."""
    if ask and (asked := ensure_commune(state, out, WHERE + (target.id if target else ""))) is not None:
        return asked
    if target is not None:
        ans.answer_where(out, target)
    office = office_lines(out)
    if office:
        out.say(office)
    if target is None:
        out.phrase("which_procedure_for_question")
        return state
    return reprompt(state, out)


class Reading(Enum):
    """Whether an answer to this kind of question needs the classifier."""

    BUTTONS = "buttons"   # a tapped button, its typed title or its number is read without it; other text with it
    FIELD = "field"       # the text is the answer; only a question ("?") may interrupt, so only that is classified
    NEVER = "never"       # the handler reads the text alone (a phone number is never an intent)


class Prefetch(Enum):
    """What the runtime fetches before a turn answering this kind of question."""

    DRAFTS = "drafts"           # the citizen's drafts (the status question names one)
    DRAFT_CODE = "draft_code"   # a fresh draft code (confirming the summary makes the draft)


Handler = Callable[[ConversationState, Out, Said], "ConversationState | None"]


@dataclass(frozen=True, slots=True)
class Waiting:
    """How the answer to one kind of question is read. The handler returns None when the message is no
    answer: it then goes through free-text understanding like any other message."""

    expecting: str | None       # what the NLU should expect (ParseContext.expecting)
    reading: Reading
    handler: Handler
    prefetch: frozenset[Prefetch] = frozenset()


_K = PendingKind
WAITING: Mapping[PendingKind, Waiting] = MappingProxyType({
    _K.CLARIFY: Waiting("choice", Reading.BUTTONS, _on_clarify),
    _K.QUESTION: Waiting("choice", Reading.BUTTONS, _on_question),
    _K.DOCUMENT: Waiting("yes_no", Reading.BUTTONS, _on_document),
    _K.FIELD: Waiting("field", Reading.FIELD, _on_field),
    _K.REVIEW: Waiting("choice", Reading.BUTTONS, _on_review, frozenset({Prefetch.DRAFT_CODE})),
    _K.REVIEW_EDIT: Waiting("field", Reading.FIELD, _on_review_edit),
    _K.RATING: Waiting("number", Reading.BUTTONS, _on_rating),
    _K.OFFER_HUMAN: Waiting("yes_no", Reading.BUTTONS, _on_offer_human),
    _K.STATUS_CODE: Waiting(None, Reading.BUTTONS, _on_status_code, frozenset({Prefetch.DRAFTS})),
    _K.STATUS_WARNING: Waiting(None, Reading.BUTTONS, _on_status_warning),
    _K.CONFIRM_DELETE: Waiting("yes_no", Reading.BUTTONS, _on_confirm_delete),
    _K.SWITCH_CONFIRM: Waiting(None, Reading.BUTTONS, _on_switch),
    _K.CLAIM_PHONE: Waiting("field", Reading.NEVER, _on_claim_phone),
    _K.CALLBACK_PHONE: Waiting("field", Reading.FIELD, _on_callback_phone),
    _K.CONFIRM_RESTART: Waiting("yes_no", Reading.BUTTONS, _on_confirm_restart),
    _K.FIELD_CHECK: Waiting("field", Reading.FIELD, _on_field_check),
    _K.COMMUNE: Waiting("field", Reading.FIELD, _on_commune),
    _K.COMMUNE_CONFIRM: Waiting("yes_no", Reading.BUTTONS, _on_commune_confirm),
    _K.ONLINE_CHOICE: Waiting("choice", Reading.BUTTONS, _on_online_choice),
    _K.ONLINE_STEP: Waiting("choice", Reading.BUTTONS, _on_online_step),
    _K.ONLINE_CODE: Waiting("field", Reading.NEVER, _on_online_code),
})
if set(WAITING) != set(PendingKind):  # pragma: no cover - a new kind without a row fails every import
    raise RuntimeError(f"engine.WAITING has no row for {sorted(set(PendingKind) - set(WAITING))}")


def _is_interruption(u: Understanding, out: Out, raw: str) -> bool:
    """While a field is asked, only a confident question or human request interrupts."""
    sure = u.confidence >= out.ctx.thresholds.interrupt_field
    return u.label in QUESTION_INTENTS | {"request_human", "restart"} and sure and "?" in raw


def _free_text(state: ConversationState, out: Out, raw: str, folded: str, u: Understanding) -> ConversationState:
    """A message that answers no pending question: a cue, an intent, or a procedure to identify."""
    if state.mode == "bot" and not asking(state):
        noticed = notice(state, out, raw, _about_something_else(u, out))
        if noticed is not None and asking(noticed):
            return noticed   # "tôi ở xã Ea Tul": confirmed at once
        state = noticed or state
    for read in (_cue, _intent):
        handled = read(state, out, raw, folded, u)
        if handled is not None:
            return handled
    if state.mode == "waiting_human":
        out.emit(ev.CitizenMessageForAgent(text=raw))
        say_waiting(out)
        return state
    return _identify(state, out, raw, u)


def _about_something_else(u: Understanding, out: Out) -> bool:
    """The message asks for a procedure, a question's answer or an officer, besides naming a place."""
    asks = u.label in QUESTION_INTENTS | {"request_human", "ask_status"} and u.confidence >= out.ctx.thresholds.intent
    return asks or is_confident(u, out) is not None


def _cue(state: ConversationState, out: Out, raw: str, folded: str, u: Understanding) -> ConversationState | None:
    """Questions recognised by their words: office hours, another authority's matter, documents, legal basis."""
    current = out.ctx.content.procedure(state.procedure_id)
    other = is_confident(u, out)
    if asks_office_hours(folded) and (other is None or u.confidence < out.ctx.thresholds.beats_office_hours):
        hours = out.ctx.office.hours if out.ctx.office and out.ctx.office.hours else out.ctx.office_hours
        if hours:
            out.phrase("office_hours", hours=hours)
        else:
            out.phrase("office_hours_unknown", buttons=(Button(out.p("human_button"), "/canbo"),))
        return reprompt(state, out)
    if state.mode != "waiting_human" and (other is None or u.label == "out_of_scope"):
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
    return None


def _intent(state: ConversationState, out: Out, raw: str, folded: str, u: Understanding) -> ConversationState | None:
    """Intents other than a procedure: fee/duration/where, an officer, restart, status, small talk."""
    th = out.ctx.thresholds
    label, conf = u.label, u.confidence
    if label in QUESTION_INTENTS and conf >= th.intent:
        current = target = out.ctx.content.procedure(state.procedure_id)
        first = next(ranked_procedures(u), None)
        if first and first.confidence >= th.question_target and first.label in out.ctx.content.procedures:
            target = out.ctx.content.procedures[first.label]
        if label == "ask_where" and out.ctx.communes:   # a province: the citizen's own commune's desk
            return _answer_where(state, out, target)
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
    if label == "ask_status" and conf >= th.intent:
        return answer_status(state, out)
    if label in ("greet", "thanks", "goodbye") and conf >= th.intent:
        out.phrase(label)
        return reprompt(state, out) if state.pending is not None else state
    return None


def _identify(state: ConversationState, out: Out, raw: str, u: Understanding) -> ConversationState:
    """The message names a procedure (start it, or offer to switch), might (clarify), or is not understood."""
    th = out.ctx.thresholds
    label, conf = u.label, u.confidence
    pid = is_confident(u, out)
    if pid is not None:
        if pid == state.procedure_id and state.phase == "flow":
            return reprompt(state, out)
        if _has_progress(state) and pid in out.ctx.content.procedures:
            return _confirm_switch(state, out, pid)
        alike = lookalikes(pid, raw, u, out)
        if alike:   # near-duplicate names the message does not tell apart: ask, never guess
            return clarify(state, out, (pid, *alike), 0)
        return start_procedure(state, out, pid, conf)
    cands = candidates(u, out)
    named = named_outright(cands, raw, u, out) if not _has_progress(state) and state.pending is None else None
    if named is not None:
        return start_procedure(state, out, named, conf)
    likely = bool(cands) and next(ranked_procedures(u)).confidence >= th.out_of_scope_candidate
    if label == "out_of_scope" and conf >= th.intent and not likely:
        out.emit(ev.Unrecognized(text=raw, label=label, confidence=round(conf, 4)))
        out.phrase("out_of_scope")
        return _missed(state, out)
    if state.phase == "flow" and state.pending is not None:
        # Inside a flow, an unclear message is most likely a failed answer: ask again, don't re-identify.
        if state.pending.buttons:
            out.phrase("question_pick")
        return _missed(reprompt(state, out), out)
    if cands and (label is None or "." in label or conf < th.intent):
        out.emit(ev.Unrecognized(text=raw, label=label, confidence=round(conf, 4)))
        failures = state.clarify_failures + (1 if state.phase == "clarify" else 0)
        state = replace(state, clarify_failures=failures)
        if failures >= th.max_clarify_failures:
            return clarification_failed(state, out)
        return clarify(state, out, cands, 0)
    out.emit(ev.Unrecognized(text=raw, label=label, confidence=round(conf, 4)))
    out.phrase("not_understood")
    return _missed(state, out)


def _restart(state: ConversationState, out: Out) -> ConversationState:
    """Start over ("/huy", "làm lại"): a requested or open handoff is cancelled; drafts and contact stay."""
    out.emit(ev.Restarted(procedure_id=state.procedure_id))
    if state.mode != "bot":
        out.emit(ev.HandoffCancelled())
    out.phrase("restarted")
    out.phrase("ask_procedure")
    return ConversationState(welcomed=True, last_draft=state.last_draft, contact=state.contact,
                             commune=state.commune)


def _has_progress(state: ConversationState) -> bool:
    """A citizen who has answered something in a flow should not lose their place to one misread message."""
    return state.phase == "flow" and state.procedure_id is not None and bool(
        state.answers or state.fields or state.docs_have or state.docs_missing)


def _confirm_switch(state: ConversationState, out: Out, pid: str) -> ConversationState:
    assert state.procedure_id is not None, "a switch is offered only with progress in a flow (_has_progress)"
    current, new = out.ctx.content.procedures[state.procedure_id], out.ctx.content.procedures[pid]
    buttons = (Button(out.p("switch_yes"), PICK + pid), Button(out.p("switch_no"), SWITCH_NO))
    out.emit(ev.SwitchOffered(procedure_id=pid, current=current.id))
    out.phrase("switch_confirm", current=current.name, new=new.name, buttons=buttons)
    return replace(state, pending=Pending(PendingKind.SWITCH_CONFIRM, pid, buttons), resume=state.pending)


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
        out.emit(ev.ClarificationFailed(failures=misses, candidates=[]))
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


def _resume(state: ConversationState, out: Out) -> ConversationState:
    """Back to the flow's question after a side question (rating, deletion, call-back)."""
    return _ask_again(replace(state, pending=state.resume, resume=None), out)


def _ask_again(state: ConversationState, out: Out) -> ConversationState:
    """What is pending, asked again: the online walk's step or code question (bot/engine/online.py), else the flow's."""
    if state.pending is not None and state.pending.kind in online.KINDS:
        return online.reprompt(state, out)
    return reprompt(state, out)


def _ask_rating(state: ConversationState, out: Out) -> ConversationState:
    out.phrase("rating_ask", buttons=RATING_BUTTONS)
    return state.ask_aside(Pending(PendingKind.RATING, None, RATING_BUTTONS))


def _return_to_step(state: ConversationState, out: Out, step_id: str | None) -> ConversationState:
    """Position the flow at ``step_id`` (or keep the current step), ready to prompt it again."""
    if step_id is None and state.pending is not None and state.pending.kind in online.KINDS:
        return state   # stuck while filing online: the walk goes on from the step reached
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
        return _ask_again(state, out)
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
        out.emit(ev.FieldCollected(procedure_id=proc.id, field_id=fid, source="cccd_qr"))
    lines.append(out.p("cccd_confirm"))
    out.say("\n".join(lines))
    if state.pending is not None and state.pending.kind is PendingKind.FIELD and state.pending.ref in inp.extracted:
        flow = out.ctx.content.flow(state.procedure_id)
        step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
        if isinstance(step, FieldsStep):
            return prompt_field(state, out, proc, step)
    if state.pending is not None and state.pending.kind is PendingKind.REVIEW:
        flow = out.ctx.content.flow(state.procedure_id)
        if flow:
            return show_review(state, out, proc, flow)
    return reprompt(state, out)


def _drafts(state: ConversationState, out: Out) -> ConversationState:
    drafts = out.ctx.drafts
    out.emit(ev.DraftsListed())
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


__all__ = ["WAITING", "Turn", "TurnNeeds", "human_button", "step", "turn_needs"]
