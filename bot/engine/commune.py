"""Which commune a citizen belongs to (issue 21), when the deployment serves a province: asked once before a
handoff unless an address the citizen gave already names one of the province's communes; remembered on the state.

Pure: the province's communes reach the engine as ``TurnContext.communes`` ((code, official name) pairs)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, PendingKind
from bot.engine.turn import Out
from nlu.normalize import fold, nfc_lower

_TYPE = re.compile(r"^(?:xa|phuong|dac khu|thi tran|p|x)\.?\s+")
HUMAN = "/canbo"


def _key(text: str) -> str:
    k = re.sub(r"[^\w\s]", " ", fold(nfc_lower(text)))
    return _TYPE.sub("", " ".join(k.split()))


def _typed_kind(text: str) -> str:
    head = fold(nfc_lower(text.strip())).split(" ", 1)[0]
    return {"xa": "xa", "x": "xa", "phuong": "phuong", "p": "phuong"}.get(head.rstrip("."), "")


def match_commune(text: str, communes: Iterable[tuple[str, str]]) -> str | None:
    """The code of the one commune ``text`` names ("xã Ea Tul", "ea tul", "Phường Tân An"), None if none or several."""
    key, kind = _key(text), _typed_kind(text)
    if not key:
        return None
    hits = [(code, name) for code, name in communes if _key(name) == key]
    if len(hits) > 1 and kind:
        hits = [h for h in hits if fold(nfc_lower(h[1])).startswith(kind)]
    return hits[0][0] if len(hits) == 1 else None


def commune_in_fields(fields: Iterable[tuple[str, str]], communes: tuple[tuple[str, str], ...]) -> str | None:
    """The commune named by the first address part that starts with its type word ("…, xã Ea Tul, tỉnh Đắk Lắk")."""
    for _key_, value in fields:
        for part in str(value or "").split(","):
            if _typed_kind(part) in {"xa", "phuong"} or fold(nfc_lower(part.strip())).startswith("dac khu "):
                code = match_commune(part, communes)
                if code:
                    return code
    return None


def needs_commune(state: ConversationState, out: Out) -> bool:
    """Whether to ask before a handoff: a province deployment, no commune known, and not already asked."""
    if not out.ctx.communes or state.commune or (state.pending and state.pending.kind == PendingKind.COMMUNE):
        return False
    return commune_in_fields(state.fields, out.ctx.communes) is None


def close_question(state: ConversationState) -> ConversationState:
    """"Bỏ qua" (the /canbo button) while the commune is asked: back to what was asked before, no commune."""
    if state.pending is not None and state.pending.kind == PendingKind.COMMUNE:
        return replace(state, pending=state.resume, resume=None)
    return state


_CHANGE = re.compile(r"\b(?:chuyen|doi|sang|ve|qua) (?:sang |qua |ve |den )?(?:o )?(?:xa|phuong)(?:/phuong)? khac\b"
                     r"|^doi (?:xa|phuong)$")


def wants_new_commune(out: Out, folded: str) -> bool:
    """"tôi chuyển sang xã khác", "đổi xã": the citizen moved (only in a province deployment)."""
    return bool(out.ctx.communes) and bool(_CHANGE.search(folded))


def ask_new_commune(state: ConversationState, out: Out) -> ConversationState:
    """Forget the commune and ask the new one; no handoff follows (an empty reason)."""
    out.phrase("commune_ask_new", of_province=_province(out, " của "))
    return replace(state, commune=None).ask_aside(Pending(PendingKind.COMMUNE, "", ()))


def _province(out: Out, prefix: str) -> str:
    return f"{prefix}{out.ctx.province}" if out.ctx.province else ""


def ask_commune(state: ConversationState, out: Out, reason: str) -> ConversationState:
    """Ask which commune; a handoff for ``reason`` follows the answer (or "Bỏ qua")."""
    skip = (Button(out.p("commune_skip"), HUMAN),)
    out.phrase("commune_ask", of_province=_province(out, " của "), buttons=skip)
    return state.ask_aside(Pending(PendingKind.COMMUNE, reason, skip))


def answer_commune(state: ConversationState, out: Out, raw: str) -> tuple[ConversationState, str] | None:
    """The commune named: (state remembering it with the question closed, the handoff reason — "" after a change,
    no handoff); None when no commune matched before a handoff (the citizen is told and asked again)."""
    code = match_commune(raw, out.ctx.communes)
    if code is None and state.pending is not None and state.pending.ref == "":
        out.phrase("commune_unknown_later", typed=raw.strip()[:60])   # a change: never keep the citizen stuck
        return replace(state, pending=state.resume, resume=None), ""
    if code is None:
        out.phrase("commune_unknown", typed=raw.strip()[:60], in_province=_province(out, " ở "),
                   buttons=state.pending.buttons if state.pending else ())
        return None
    name = dict(out.ctx.communes)[code]
    out.phrase("commune_noted", name=name[:1].lower() + name[1:])
    reason = state.pending.ref if state.pending and state.pending.ref is not None else "citizen_request"
    return replace(state, commune=code, pending=state.resume, resume=None), reason


__all__ = ["answer_commune", "ask_commune", "ask_new_commune", "close_question", "commune_in_fields", "match_commune", "needs_commune", "wants_new_commune"]
