"""Which commune a citizen belongs to (issue 21), when the deployment serves a province: asked once when it matters
— before a handoff, before a draft, for "nộp ở đâu" — and remembered on the state (across "làm lại" and later
visits of the same sender, whose conversation row is the same). A commune the citizen already named (an address
field, "tôi ở xã Ea Tul", an old name such as "xã Gia Cát, huyện Cao Lộc cũ") is confirmed with two buttons
instead of asked again. "tôi chuyển sang xã khác" / "đổi xã" forgets it and asks the new one.

The question's ``ref`` says what follows the answer: a handoff reason, ``DRAFT``, ``WHERE:<procedure>``, ``NOTED``
(nothing: the citizen said where they live) or ``""`` (nothing: a change of commune). Pure: the communes reach the engine as ``TurnContext.communes`` and
``TurnContext.old_communes``."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine import events as ev
from bot.engine.commune_find import Found, find_in_fields, find_in_text, match_commune
from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.turn import Out
from nlu.normalize import fold, nfc_lower

HUMAN = "/canbo"
SKIP, YES, NO = "/xa_boqua", "/xa_dung", "/xa_khong"
DRAFT, WHERE, NOTED = "@draft", "@where:", "@noted"   # NOTED: the citizen said where they live; nothing follows
_ASKING = (PendingKind.COMMUNE, PendingKind.COMMUNE_CONFIRM)
_YES = {"dung", "dung roi", "dung vay", "phai", "vang", "u", "uh", "ok", "co", "chinh xac", "1"}
_NO = {"khong", "khong phai", "ko", "k", "sai", "sai roi", "khong dung", "2"}


@dataclass(frozen=True, slots=True)
class Answered:
    """The commune question is closed: continue with ``reason`` (``asked`` False: do not ask again, skipped)."""

    state: ConversationState
    reason: str


def _province(out: Out, prefix: str) -> str:
    return f"{prefix}{out.ctx.province}" if out.ctx.province else ""


def _name(out: Out, code: str) -> str:
    """"xã Ea Tul": the official name as written mid-sentence."""
    name = dict(out.ctx.communes).get(code, code)
    return name[:1].lower() + name[1:]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _guess(state: ConversationState, out: Out) -> Found | None:
    """What the citizen already said of their commune: a remembered guess, else the first address they gave."""
    if state.commune_guess:
        code, _, old = state.commune_guess.partition("|")
        return Found((code,), old or None)
    return find_in_fields(state.fields, out.ctx.communes, out.ctx.old_communes)


def _store(found: Found) -> str:
    return found.codes[0] + (f"|{found.old}" if found.old else "")


def asking(state: ConversationState) -> bool:
    return state.pending is not None and state.pending.kind in _ASKING


def ensure_commune(state: ConversationState, out: Out, reason: str) -> ConversationState | None:
    """Ask (or confirm) the citizen's commune before what ``reason`` names; None when it is known, already being
    asked, or the deployment is not a province's."""
    if not out.ctx.communes or state.commune or asking(state):
        return None
    found = _guess(state, out)
    if found is not None:
        return confirm(state, out, found, reason)
    return ask_commune(state, out, reason)


def ask_commune(state: ConversationState, out: Out, reason: str) -> ConversationState:
    """The open question; its skip button hands off (before a handoff) or goes on without a commune."""
    if reason in ("", DRAFT, NOTED) or reason.startswith(WHERE):
        key = {"": "commune_ask_new", DRAFT: "commune_ask_draft", NOTED: "commune_ask_plain"}.get(reason,
                                                                                                "commune_ask_where")
        skip = (Button(out.p("commune_skip_later"), SKIP),) if reason else ()
    else:
        key, skip = "commune_ask", (Button(out.p("commune_skip"), HUMAN),)
    out.phrase(key, of_province=_province(out, " của "), buttons=skip)
    return state.ask_aside(Pending(PendingKind.COMMUNE, reason, skip))


def confirm(state: ConversationState, out: Out, found: Found, reason: str) -> ConversationState:
    """"Bạn ở xã Ea Tul, đúng không?" — or, for an old unit split between communes, which of them."""
    if len(found.codes) > 1:
        picks = tuple(Button(dict(out.ctx.communes)[c], dict(out.ctx.communes)[c]) for c in found.codes[:6])
        picks += (Button(out.p("commune_none_of_these"), NO),)
        out.phrase("commune_split", old=_capital(found.old or ""), names=", ".join(_name(out, c) for c in found.codes),
                   buttons=picks)
        return state.ask_aside(Pending(PendingKind.COMMUNE, reason, picks))
    yes_no = (Button(out.p("commune_yes"), YES), Button(out.p("commune_no"), NO))
    name = _name(out, found.codes[0])
    if found.old:
        out.phrase("commune_confirm_old", old=_capital(found.old), name=name, buttons=yes_no)
    else:
        out.phrase("commune_confirm", name=name, buttons=yes_no)
    return replace(state, commune_guess=_store(found)).ask_aside(Pending(PendingKind.COMMUNE_CONFIRM, reason, yes_no))


def _close(state: ConversationState, commune: str | None) -> ConversationState:
    return replace(state, commune=commune or state.commune, commune_guess=None, pending=state.resume, resume=None)


def _noted(state: ConversationState, out: Out, code: str) -> Answered:
    out.phrase("commune_noted", name=_name(out, code))
    out.emit(ev.CommuneNoted())
    reason = state.pending.ref if state.pending and state.pending.ref is not None else "citizen_request"
    return Answered(_close(state, code), reason)


def _button(state: ConversationState, raw: str) -> str:
    """A button's typed title ("bo qua") or number (Zalo's numbered menu) read as its payload."""
    offered = state.pending.buttons if state.pending is not None else ()
    folded = fold(nfc_lower(raw.strip()))
    if folded.isdigit() and 1 <= int(folded) <= len(offered):
        return offered[int(folded) - 1].payload
    return next((b.payload for b in offered if fold(nfc_lower(b.title)) == folded), raw)


def answer_commune(state: ConversationState, out: Out, raw: str) -> Answered | ConversationState:
    """The commune named (a 2025 name; an old one is confirmed first), or "Bỏ qua" / "Không phải" (go on without
    it); a state still asking when nothing matched (before a change: the citizen is never kept at the question)."""
    raw = _button(state, raw)
    reason = state.pending.ref if state.pending and state.pending.ref is not None else "citizen_request"
    if raw == SKIP:
        return Answered(_close(state, None), reason)
    if raw == NO:   # none of an old unit's communes
        return ask_commune(replace(state, pending=state.resume, resume=None), out, reason)
    code = match_commune(raw, out.ctx.communes)
    if code is not None:
        return _noted(state, out, code)
    found = find_in_text(raw, out.ctx.communes, out.ctx.old_communes, whole=True)
    if found is not None:
        if len(found.codes) == 1 and not found.old:
            return _noted(state, out, found.codes[0])
        return confirm(replace(state, pending=state.resume, resume=None), out, found, reason)
    if reason in ("", NOTED):   # nothing waits on it: the citizen is never kept at the question
        out.phrase("commune_unknown_later", typed=raw.strip()[:60])
        return Answered(_close(state, None), "")
    out.phrase("commune_unknown", typed=raw.strip()[:60], in_province=_province(out, " ở "),
               buttons=state.pending.buttons if state.pending else ())
    return state


def answer_confirm(state: ConversationState, out: Out, raw: str, folded: str,
                   affirm: bool | None) -> Answered | ConversationState | None:
    """"Đúng": the guessed commune is theirs. "Không phải": asked by name. Another commune typed: that one."""
    raw = _button(state, raw)
    reason = state.pending.ref if state.pending and state.pending.ref is not None else ""
    code = (state.commune_guess or "").partition("|")[0]
    if raw == YES or folded in _YES or (affirm is True and folded not in _NO):
        return _noted(state, out, code) if code else Answered(_close(state, None), reason)
    if raw == NO or folded in _NO or affirm is False:
        return ask_commune(replace(state, commune_guess=None, pending=state.resume, resume=None), out, reason)
    if find_in_text(raw, out.ctx.communes, out.ctx.old_communes, whole=True) is not None:
        return answer_commune(replace(state, pending=Pending(PendingKind.COMMUNE, reason)), out, raw)
    return None


def notice(state: ConversationState, out: Out, raw: str, sure_of_procedure: bool) -> ConversationState | None:
    """A place named in free text ("tôi ở xã Ea Tul", "phường 5 quận 3 cũ"): confirmed at once when the message
    says nothing else the bot acts on, otherwise remembered silently and confirmed when it matters.
    None when the text names no commune (or the one already known)."""
    if not out.ctx.communes:
        return None
    found = find_in_text(raw, out.ctx.communes, out.ctx.old_communes)
    if found is None or (len(found.codes) == 1 and found.codes[0] == state.commune):
        return None
    if sure_of_procedure:
        return replace(state, commune_guess=_store(found)) if len(found.codes) == 1 else state
    return confirm(state, out, found, NOTED)


_CHANGE = re.compile(r"\b(?:chuyen|doi|sang|ve|qua|don) (?:nha )?(?:sang |qua |ve |den |toi )?(?:o )?(?:xa|phuong)"
                     r"(?:/phuong)? (?:khac|moi)\b|^(?:toi |minh |em )?(?:muon )?doi (?:xa|phuong|xa/phuong|xa phuong)"
                     r"(?: (?:cua|o) (?:toi|minh|em))?$|\bsai (?:xa|phuong)\b")


def wants_new_commune(out: Out, folded: str) -> bool:
    """"tôi chuyển sang xã khác", "đổi xã", "chuyen sang phuong moi": the citizen moved (a province deployment)."""
    return bool(out.ctx.communes) and bool(_CHANGE.search(folded))


def ask_new_commune(state: ConversationState, out: Out) -> ConversationState:
    """Forget the commune and ask the new one; nothing follows the answer (an empty reason)."""
    return ask_commune(replace(state, commune=None, commune_guess=None), out, "")


def close_question(state: ConversationState) -> ConversationState:
    """"Bỏ qua" (the /canbo button) while the commune is asked: back to what was asked before, no commune."""
    if asking(state):
        return replace(state, pending=state.resume, resume=None, commune_guess=None)
    return state


def office_lines(out: Out) -> str:
    """Where the citizen's own commune's one-stop desk is and when it is open, as far as its admins set it."""
    office = out.ctx.office
    if office is None:
        return ""
    parts = [out.p("commune_office", name=office.name[:1].lower() + office.name[1:])]
    if office.address:
        parts.append(out.p("commune_office_address", address=office.address))
    if office.hours:
        parts.append(out.p("commune_office_hours", hours=office.hours))
    if office.phone:
        parts.append(out.p("commune_office_phone", phone=office.phone))
    return "\n".join(parts) if len(parts) > 1 else ""


__all__ = ["DRAFT", "NOTED", "WHERE", "Answered", "answer_commune", "answer_confirm", "ask_commune", "ask_new_commune",
           "asking", "close_question", "ensure_commune", "match_commune", "notice", "office_lines",
           "wants_new_commune"]
