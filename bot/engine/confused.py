"""A citizen lost at a question ("toi khong biet", "kho qua"): ask the same thing again in plainer words, with
its buttons and a "Gặp cán bộ" button, instead of reading the message as a new request (issue 16, item 9)."""
from __future__ import annotations

from bot.content.flow import DocumentsStep, FieldsStep, QuestionStep
from bot.engine.flowrun import human_button, match_option, reprompt
from bot.engine.messages import Text
from bot.engine.state import ConversationState, replace
from bot.engine.text import fold
from bot.engine.turn import Out
from nlu.cues import is_confused

CONFUSABLE = {"question", "document", "field", "field_check"}
_SKIP_WORDS = {"khong biet", "bo qua", "khong co"}


def wants_plainer(state: ConversationState, out: Out, raw: str, folded: str) -> bool:
    """True when the message says "I don't know / don't understand" at a flow question. "không biết" at an
    optional field still skips it, as before."""
    p = state.pending
    if p is None or p.kind not in CONFUSABLE or raw.startswith("/") or not is_confused(raw):
        return False
    if any(folded == fold(b.title) for b in p.buttons):   # "Không có hoặc không rõ" is an answer
        return False
    if p.kind == "question":
        flow = out.ctx.content.flow(state.procedure_id)
        step = next((s for s in flow.steps if s.id == p.ref), None) if flow else None
        if isinstance(step, QuestionStep) and match_option(step, raw, folded, None) is not None:
            return False
    if p.kind == "field" and folded in _SKIP_WORDS:
        proc = out.ctx.content.procedure(state.procedure_id)
        f = proc.form_field(p.ref or "") if proc else None
        return f is None or f.required
    return True


def _plain_words(state: ConversationState, out: Out) -> str:
    """What the pending item means in everyday words: the document's explanation, or an example of the field."""
    p = state.pending
    proc = out.ctx.content.procedure(state.procedure_id)
    flow = out.ctx.content.flow(state.procedure_id)
    step = next((s for s in flow.steps if s.id == state.step_id), None) if flow else None
    if p is None or proc is None:
        return ""
    if p.kind == "document" and isinstance(step, DocumentsStep) and (doc := proc.document(p.ref or "")):
        return doc.explain
    if p.kind == "field" and isinstance(step, FieldsStep) and (f := proc.form_field(p.ref or "")):
        return out.p(f"confused_field_{f.type}")
    if p.kind == "field_check":
        return out.p("confused_field_check")
    return ""


def reask_plainly(state: ConversationState, out: Out) -> ConversationState:
    """Re-ask the pending question in one message: reassurance, plain words, the question, its buttons and
    "Gặp cán bộ"."""
    plain = _plain_words(state, out)
    start = len(out.replies)
    state = reprompt(state, out)
    asked = [i for i in range(start, len(out.replies)) if isinstance(out.replies[i], Text)]
    if not asked:
        return state
    last = out.replies[asked[-1]]
    assert isinstance(last, Text)
    human = human_button(out)
    buttons = last.buttons + (() if any(b.payload == human.payload for b in last.buttons) else (human,))
    tail = out.p("confused_pick" if last.buttons else "confused_type")
    text = "\n".join(x for x in (out.p("confused_intro"), plain, last.text, tail) if x)
    out.replies[asked[-1]] = replace(last, text=text, buttons=buttons)
    if state.pending is not None:
        state = replace(state, pending=replace(state.pending, buttons=buttons))
    return state


__all__ = ["CONFUSABLE", "reask_plainly", "wants_plainer"]
