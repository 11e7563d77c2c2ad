"""ask_status: "hồ sơ của tôi tới đâu rồi" answered from the desk's record of the citizen's drafts.

Pure like the rest of the engine: the runtime puts the drafts (status, official number, the desk's latest
note) in ``TurnContext.drafts``. With several drafts the bot asks for the code and keeps a ``status_code``
pending question; the next message containing a code (typo-tolerant: case, spaces, look-alikes) answers it.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from bot.dossier.codes import find_code
from bot.engine import events as ev
from bot.engine.context import DraftSummary
from bot.engine.flowrun import reprompt
from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.turn import Out

MAX_BUTTONS = 5
_CODE_LIKE = re.compile(r"\b[A-Za-z]{2,3}[\s\-]?[0-9A-Za-z]{3}[\s\-]?[0-9A-Za-z]{3}\b")


def status_text(out: Out, d: DraftSummary) -> str:
    """Status in Vietnamese, the official number if any, and what to do next."""
    lines = [out.p("status_line", code=d.code, name=d.procedure_name, status=d.status)]
    if d.official_number:
        online = d.status_key == "submitted_online"
        lines.append(out.p("status_portal_number" if online else "status_number", number=d.official_number))
    if d.status_key:
        if d.status_key in ("needs_documents", "result_ready") and not d.note:
            lines.append(out.p(f"status_next_{d.status_key}_plain"))
        else:
            lines.append(out.p(f"status_next_{d.status_key}", note=d.note or ""))
    if d.updated_at is not None and d.status_key not in ("", "draft"):
        lines.append(out.p("status_updated", date=d.updated_at.strftime("%d/%m/%Y")))
    return "\n".join(line for line in lines if line)


def _back_to_flow(state: ConversationState, out: Out) -> ConversationState:
    state = replace(state, pending=state.resume, resume=None)
    return reprompt(state, out) if state.pending is not None else state


def answer_status(state: ConversationState, out: Out) -> ConversationState:
    """The citizen asks where their dossier stands."""
    out.emit(ev.StatusAsked())
    drafts = out.ctx.drafts or ()
    if not drafts:
        out.phrase("drafts_none")
        return reprompt(state, out)
    if len(drafts) > 1:
        recent = drafts[-MAX_BUTTONS:]
        buttons = tuple(Button(f"{d.code} · {d.procedure_name}", d.code) for d in reversed(recent))
        out.phrase("status_ask_code", buttons=buttons)
        return state.ask_aside(Pending(PendingKind.STATUS_CODE, None, buttons))
    out.say(status_text(out, drafts[0]))
    return reprompt(state, out) if state.pending is not None else state


def answer_status_code(state: ConversationState, out: Out, raw: str,
                       otherwise: Callable[[ConversationState], ConversationState]) -> ConversationState:
    """The answer to "which code?": a code among the citizen's drafts, a wrong code (ask again), or
    something else (the question is dropped and ``otherwise`` handles the message as usual)."""
    drafts = out.ctx.drafts or ()
    code = find_code(raw, lookalikes=True)
    mine = {d.code: d for d in drafts}
    if code is not None and code in mine:
        out.say(status_text(out, mine[code]))
        return _back_to_flow(state, out)
    if code is not None or _CODE_LIKE.search(raw) and (any(c.isdigit() for c in raw) or "-" in raw):
        shown = code or _CODE_LIKE.search(raw).group(0)  # type: ignore[union-attr]
        out.phrase("status_code_unknown", typed=shown, codes=", ".join(mine) or "—",
                   buttons=state.pending.buttons if state.pending else ())
        return state
    return otherwise(replace(state, pending=state.resume, resume=None))
