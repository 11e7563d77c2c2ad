"""Claiming a draft made at the desk: "/nhan KS-7F3K2Q" → the phone number given there → an event.

Pure like the rest of the engine. The code is printed on paper, so it is not enough on its own: the engine
asks for the phone number the officer recorded and emits ``draft_claim_requested`` with a salted digest of
it; the runtime (bot/assist/service.py) compares, counts failed attempts and attaches the draft.
"""
from __future__ import annotations

import hashlib
import re

from bot.dossier.codes import find_code, normalize_code
from bot.engine import events as ev
from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.turn import Out
from nlu.fields import validate_field

CLAIM_COMMANDS = ("/nhan", "/nhanhoso")
# Folded prefixes of a typed claim ("nhận hồ sơ KS-7F3K2Q", "nhan lai ho so ks 7f3k2q").
CLAIM_PREFIXES = ("nhan ho so", "nhan lai ho so", "nhan ma ho so", "nhan ma")
CANCEL = "/boqua"
CANCEL_WORDS = {"bo qua", "/boqua", "huy", "thoi", "khong", "ko"}


def claim_digest(code: str, phone: str) -> str:
    """What the event carries instead of the phone number: bound to the code, so it says nothing elsewhere."""
    return hashlib.sha256(f"motcua-claim:{code}:{phone}".encode()).hexdigest()


def claim_request(raw: str, folded: str) -> str | None:
    """The text after a claim command ('' when the command came alone), or None when this is no claim."""
    head = raw.split(maxsplit=1)
    if head and head[0].lower() in CLAIM_COMMANDS:
        return head[1] if len(head) > 1 else ""
    for p in CLAIM_PREFIXES:
        if folded == p or folded.startswith(p + " "):
            # Keep the original characters after the prefix (the code), whatever accents the prefix had.
            words = len(p.split())
            parts = raw.split(maxsplit=words)
            return parts[words] if len(parts) > words else ""
    return None


def start_claim(state: ConversationState, out: Out, rest: str) -> ConversationState:
    """"/nhan <code>": check the code's form (typo-tolerant, check character) and ask for the phone."""
    rest = rest.strip()
    code = normalize_code(rest).code or find_code(rest) if rest else None
    if code is None:
        out.phrase("claim_bad_code", typed=rest[:40]) if rest else out.phrase("claim_how")
        return state
    buttons = (Button(out.p("claim_cancel"), CANCEL),)
    out.phrase("claim_ask_phone", code=code, buttons=buttons)
    return state.ask_aside(Pending(PendingKind.CLAIM_PHONE, code, buttons))


def answer_claim_phone(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState:
    """The phone number for the pending claim: a valid number becomes the event, anything else is asked again."""
    assert state.pending is not None and state.pending.ref
    code = state.pending.ref
    if folded in CANCEL_WORDS or raw == CANCEL:
        out.phrase("claim_cancelled")
        return replace(state, pending=state.resume, resume=None)
    res = validate_field("phone", _digits_only(raw), today=out.ctx.today)
    if not res.ok or not res.value:
        out.say(res.reason or out.p("claim_ask_phone", code=code), state.pending.buttons)
        return state
    out.emit(ev.DraftClaimRequested(code=code, phone_digest=claim_digest(code, res.value)))
    # The room answers (claimed, or refused) in the same delivery; the flow's own question waits for the next turn.
    return replace(state, pending=state.resume, resume=None)


_PHONE_TEXT = re.compile(r"[^\d+]")


def _digits_only(raw: str) -> str:
    """"số của tôi là 0912 345 678" → "0912345678" (the validator wants the number alone)."""
    return _PHONE_TEXT.sub("", raw) or raw
