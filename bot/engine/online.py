"""After the review: file on the national portal with the bot beside you, ask the digital team, or go to the desk.

Pure like the rest of the engine. Offered only for a procedure the catalog says can be filed online
(``submission.online: full | partial``) and only when ``flows/_online.yml`` is loaded. The walk is the guide's steps
(`bot.content.online`), one at a time with "Xong" / "Mình bị kẹt"; the step that fills the form sends every value
the citizen gave in its own message (``Text.copy``: the web chat adds a copy button). The walk ends by asking the
portal's dossier code, which `OnlineFiled` stores with the draft (bot/dossier/online.py).
"""
from __future__ import annotations

import re

from bot.content.catalog import Procedure
from bot.content.online import OnlineStep, files_online
from bot.dossier.codes import find_code
from bot.engine import events as ev
from bot.engine.flowrun import applicable_docs, applicable_fields, display_value, fee_line, request_handoff
from bot.engine.messages import Button, Text
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.text import fold
from bot.engine.turn import Out

SELF, TEAM, DESK = "/tunop", "/nhonop", "/quaymotcua"
DONE, STUCK = "/xong", "/bikek"
FILE_FOR_ME = "file_for_me"     # the handoff reason (its kind): the digital team files the draft
STUCK_REASON = "online_stuck"
RECEIPT_REASON = "online_receipt"   # a handoff: read the portal code on the receipt photo the citizen sent
STEP_PREFIX = "online:"         # a handoff's step id while filing online: "online:<guide step id>"
# A portal dossier code: letters, digits, dots, dashes or slashes, at least 4 digits (e.g. 000.00.31.H12-261206-0001).
_PORTAL_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/]{4,48}[A-Za-z0-9]")


def offer(state: ConversationState, out: Out, proc: Procedure) -> ConversationState:
    """After the draft: the three ways on, when this procedure can be filed online (else the state unchanged)."""
    code = state.last_draft
    if not code or out.ctx.assisted or out.ctx.content.online is None or not files_online(proc):
        return state
    buttons = (Button(out.p("online_self"), SELF), Button(out.p("online_team"), TEAM),
               Button(out.p("online_desk"), DESK))
    # Asked, not said: the dossier room sends the question with these buttons after the draft's PDF and link
    # (`bot.dossier.service.create_draft`), so the buttons are the last thing the citizen sees.
    return replace(state, pending=Pending(PendingKind.ONLINE_CHOICE, code, buttons))


def _steps(out: Out, pid: str | None) -> tuple[OnlineStep, ...]:
    guide = out.ctx.content.online
    return guide.steps_for(pid) if guide is not None and pid else ()


def answer_choice(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState | None:
    """Which way: walk the portal, the digital team, or the desk (typed titles and numbers work too)."""
    p = state.pending
    assert p is not None
    pick = _picked(p, raw, folded)
    if pick == SELF:
        out.emit(ev.OnlineChosen(code=p.ref or "", choice="self"))
        return show_step(state, out, p.ref or "", 0)
    if pick == TEAM:
        out.emit(ev.OnlineChosen(code=p.ref or "", choice="team"))
        return request_handoff(replace(state, pending=None), out, FILE_FOR_ME, step_id=p.ref)
    if pick == DESK:
        out.emit(ev.OnlineChosen(code=p.ref or "", choice="desk"))
        out.phrase("online_desk_chosen", code=p.ref or "")
        return replace(state, pending=None)
    return None


def _picked(p: Pending, raw: str, folded: str) -> str | None:
    """The payload of the button the citizen tapped, typed or numbered."""
    if raw.startswith("/"):
        return raw.split()[0]
    if folded.isdigit() and 1 <= int(folded) <= len(p.buttons):
        return p.buttons[int(folded) - 1].payload
    return next((b.payload for b in p.buttons if folded and fold(b.title) == folded), None)


def show_step(state: ConversationState, out: Out, code: str, index: int) -> ConversationState:
    """One step of the walk: its text, what it shows (values, documents, fee), and "Xong" / "Mình bị kẹt"."""
    steps = _steps(out, state.procedure_id)
    if index >= len(steps):
        return _ask_code(state, out, code)
    step = steps[index]
    proc = out.ctx.content.procedure(state.procedure_id)
    buttons = (Button(out.p("online_done"), DONE), Button(out.p("online_stuck"), STUCK))
    head = out.p("online_step_head", n=index + 1, total=len(steps), title=step.title)
    text = f"{head}\n{fill(step.say, proc)}"
    if step.show == "fields":
        out.say(text)
        _say_values(state, out, proc)
        out.phrase("online_fields_end", buttons=buttons)
    elif step.show == "documents":
        out.say(text + "\n" + _documents(state, out, proc), buttons)
    elif step.show == "fee":
        out.say(text + "\n" + _fee(state, out, proc), buttons)
    else:
        out.say(text, buttons)
    out.emit(ev.OnlineStepShown(code=code, step_id=step.id))
    return replace(state, pending=Pending(PendingKind.ONLINE_STEP, f"{code}#{index}", buttons))


def fill(text: str, proc: Procedure | None) -> str:
    """A step's text with the procedure's national code and names put in."""
    if proc is None:
        return text
    values = {"{national_code}": proc.national_code.text if proc.national_code else "—",
              "{official_name}": proc.official_name, "{name}": proc.name}
    for k, v in values.items():
        text = text.replace(k, v)
    return text


def _say_values(state: ConversationState, out: Out, proc: Procedure | None) -> None:
    """Each value the citizen gave, one message each: the label, then the value alone to copy."""
    flow = out.ctx.content.flow(state.procedure_id)
    if proc is None or flow is None:
        return
    values = state.field_map
    for fid in applicable_fields(flow, state.answer_map):
        f = proc.form_field(fid)
        if f is None or not values.get(fid):
            continue
        shown = display_value(f, values[fid])
        out.replies.append(Text(text=f"{f.label}:\n{shown}", copy=shown))


def _documents(state: ConversationState, out: Out, proc: Procedure | None) -> str:
    flow = out.ctx.content.flow(state.procedure_id)
    if proc is None or flow is None:
        return ""
    lines = []
    for d in applicable_docs(flow, state.answer_map):
        doc = proc.document(d)
        if doc is None or doc.produced_by_draft:
            continue
        lines.append(f"• {doc.name}" + (" " + out.p("online_doc_missing") if d in state.docs_missing else ""))
    return "\n".join(lines) if lines else out.p("online_no_documents")


def _fee(state: ConversationState, out: Out, proc: Procedure | None) -> str:
    """This citizen's fee (from their answers, else the catalog's) and what filing online with VNeID earns."""
    fee, _ = proc.fee_for(out.ctx.province) if proc is not None else (None, None)
    line = fee_line(state, out) or (fee.text if fee else out.p("online_fee_unknown"))
    if fee is not None and fee.vneid_exemption:
        line += "\n" + out.p("online_fee_vneid", text=fee.vneid_exemption)
    return line


def answer_step(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState | None:
    """"Xong" → the next step; "Mình bị kẹt" → a person, told which step the citizen reached."""
    p = state.pending
    assert p is not None and p.ref is not None
    code, _, idx = p.ref.rpartition("#")
    index = int(idx) if idx.isdigit() else 0
    pick = _picked(p, raw, folded) or (DONE if folded in {"xong", "xong roi", "roi", "ok", "duoc roi"} else None)
    if pick == DONE:
        return show_step(state, out, code, index + 1)
    if pick == STUCK or folded in {"bi ket", "minh bi ket", "khong lam duoc", "kho qua"}:
        return stuck(state, out, code, index)
    return None


def stuck(state: ConversationState, out: Out, code: str, index: int) -> ConversationState:
    """Hand the walk to a person at the step reached ("online:<step>"), keeping the step to resume after."""
    steps = _steps(out, state.procedure_id)
    step_id = steps[min(index, len(steps) - 1)].id if steps else "ma-ho-so"
    out.emit(ev.OnlineStuck(code=code, step_id=step_id))
    return request_handoff(state, out, STUCK_REASON, step_id=STEP_PREFIX + step_id)


def _ask_code(state: ConversationState, out: Out, code: str) -> ConversationState:
    buttons = (Button(out.p("online_stuck"), STUCK),)
    out.phrase("online_code_ask", buttons=buttons)
    return replace(state, pending=Pending(PendingKind.ONLINE_CODE, code, buttons))


def answer_code(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState | None:
    """The portal's dossier code: stored with the draft (`OnlineFiled`); our own draft code is refused."""
    p = state.pending
    assert p is not None
    code = p.ref or ""
    if raw == STUCK or folded in {"bi ket", "minh bi ket"}:
        return stuck(state, out, code, len(_steps(out, state.procedure_id)) - 1)
    if find_code(raw, lookalikes=True) == code:
        out.phrase("online_code_is_ours", code=code, buttons=p.buttons)
        return state
    found = next((m.group(0) for m in _PORTAL_CODE.finditer(raw) if sum(c.isdigit() for c in m.group(0)) >= 4), None)
    if found is None:
        out.phrase("online_code_invalid", buttons=p.buttons)
        return state
    out.emit(ev.OnlineFiled(code=code, portal_code=found, by="citizen"))
    out.phrase("online_code_saved", code=code, portal_code=found)
    return replace(state, pending=None)


def photo_at_code(state: ConversationState, out: Out) -> ConversationState:
    """A photo of the receipt where none can be kept (no storage hook): it asks for the code typed (or a person)."""
    p = state.pending
    out.phrase("online_code_photo", buttons=p.buttons if p else ())
    return state


def receipt_received(state: ConversationState, out: Out) -> ConversationState:
    """The receipt photo is kept with the draft (the runtime did it): a person of the digital team reads the code
    in the console and records it. The code question stays pending, so the citizen may still type the code, and
    a person giving the conversation back without it asks it again."""
    p = state.pending
    code = p.ref if p is not None and p.kind is PendingKind.ONLINE_CODE else state.last_draft or ""
    if state.mode != "bot":
        out.phrase("online_receipt_again", code=code)
        return state
    out.emit(ev.HandoffRequested(reason=RECEIPT_REASON, procedure_id=state.procedure_id, step_id=code))
    if out.ctx.humans_on_duty:
        out.phrase("online_receipt_received", code=code)
    else:
        out.phrase("online_receipt_received_later", code=code,
                   when=out.ctx.next_duty_text or "giờ hành chính ngày làm việc tiếp theo")
    return replace(state, mode="waiting_human")


def filed_elsewhere(state: ConversationState, draft: str) -> ConversationState:
    """The digital team recorded the draft's portal code: a walk step or the code question about it is dropped
    (pending or kept to resume), so giving the conversation back does not ask again."""
    def about(p: Pending | None) -> bool:
        return p is not None and p.kind in KINDS and (p.ref or "").split("#")[0] == draft   # "<code>#<step>"

    return replace(state, pending=None if about(state.pending) else state.pending,
                   resume=None if about(state.resume) else state.resume)


KINDS = frozenset({PendingKind.ONLINE_CHOICE, PendingKind.ONLINE_STEP, PendingKind.ONLINE_CODE})


def reprompt(state: ConversationState, out: Out) -> ConversationState:
    """Ask again where the walk stands (after a rating, a side question, or a person giving it back)."""
    p = state.pending
    assert p is not None and p.kind in KINDS
    if p.kind is PendingKind.ONLINE_STEP:
        code, _, idx = (p.ref or "").rpartition("#")
        return show_step(state, out, code, int(idx) if idx.isdigit() else 0)
    if p.kind is PendingKind.ONLINE_CODE:
        return _ask_code(state, out, p.ref or "")
    out.phrase("online_offer", buttons=p.buttons)
    return state
