"""Identify the procedure: take a confident NLU pick, or clarify among candidates — never guess."""
from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from bot.content.catalog import Status
from bot.engine import events as ev
from bot.engine.flowrun import HUMAN, human_button, request_handoff, start_flow
from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, PendingKind, replace
from bot.engine.text import fold
from bot.engine.turn import Out
from nlu.api import Candidate, Understanding

PICK, NONE_OF_THESE, CONTINUE_REF, SWITCH_NO = "/chon ", "/khongphai", "/thamkhao", "/tieptuc"


def ranked_procedures(u: Understanding) -> Iterator[Candidate]:
    """``u.procedures()`` one at a time: most callers need only the first one or two of the ~30."""
    return (c for c in u.ranking if c.is_procedure)


def is_confident(u: Understanding, out: Out) -> str | None:
    """The procedure id when the NLU is sure enough, else None."""
    top = u.top
    if top is None or not top.is_procedure:
        return None
    th = out.ctx.thresholds
    second = next((c.confidence for c in islice(u.ranking, 1, None) if c.is_procedure), 0.0)
    if (top.confidence >= th.confident and top.confidence - second >= th.margin
            and out.ctx.content.procedure(top.label) is not None):
        return top.label
    return None


_FUNCTION_WORDS = frozenset({"cho", "cua", "va", "cac", "nhung", "voi", "tai", "o", "theo", "trong", "doi", "thu", "tuc",
                             "la", "ve", "de"})
_NAME_WORDS: dict[str, dict[str, frozenset[str]]] = {}   # content version -> procedure id -> words of its name


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(text).split()) - _FUNCTION_WORDS


def _name_words(out: Out) -> dict[str, frozenset[str]]:
    """The words of every procedure's name, computed once per content version (2,000 names per turn is waste)."""
    content = out.ctx.content
    index = _NAME_WORDS.get(content.version)
    if index is None or len(index) != len(content.procedures):
        if len(_NAME_WORDS) > 4:
            _NAME_WORDS.clear()
        index = {pid: _words(p.name) for pid, p in content.procedures.items()}
        _NAME_WORDS[content.version] = index
    return index


def lookalikes(pid: str, text: str, u: Understanding, out: Out) -> tuple[str, ...]:
    """Procedures whose names are near-duplicates of ``pid``'s that ``text`` does not tell apart from it.

    The NLU's confidence between an imported name and a look-alike ("Đăng ký khai sinh" / "… lưu động" /
    "Đăng ký lại khai sinh") rests on a name alone, not on curated examples, so it is a guess unless the
    message holds a word only ``pid``'s name has. Applies when an imported name is among them: hand-written
    procedures alone are told apart by their own curated training examples."""
    content = out.ctx.content
    names = _name_words(out)
    mine, said = names.get(pid, frozenset()), _words(text)
    top = content.procedures[pid]
    alike = []
    for other, theirs in names.items():
        common = len(mine & theirs)
        if other == pid or common < 2 or common < 0.75 * min(len(mine), len(theirs)):
            continue
        if said & (mine - theirs) and not said & (theirs - mine):
            continue   # the message names what only pid has ("lưu động", "lại")
        alike.append(other)
    if not (top.imported or any(content.procedures[o].imported for o in alike)):
        return ()
    rank = {c.label: i for i, c in enumerate(ranked_procedures(u))}
    return tuple(sorted(alike, key=lambda o: (rank.get(o, len(rank)), len(names[o]), o)))


def named_outright(cands: tuple[str, ...], text: str, u: Understanding, out: Out) -> str | None:
    """The candidate whose whole name the message says, with the words that set it apart from its look-alikes.

    Near-duplicate imported names split the NLU's confidence ("cấp lại giấy phép …" scores close to "cấp giấy
    phép …"); a citizen who typed one name in full has already answered the clarifying question."""
    names = _name_words(out)
    said = _words(text)
    inside = [c for c in cands if names.get(c) and names[c] <= said]
    if not inside:
        return None
    best = max(inside, key=lambda c: len(names[c]))
    if sum(1 for c in inside if len(names[c]) == len(names[best])) > 1:
        return None
    if not any(out.ctx.content.procedures[c].imported for c in cands):
        return None   # hand-written procedures keep the NLU's own judgement
    return None if lookalikes(best, text, u, out) else best


def candidates(u: Understanding, out: Out) -> tuple[str, ...]:
    floor = out.ctx.thresholds.candidate_floor
    known = out.ctx.content.procedures
    return tuple(c.label for c in ranked_procedures(u) if c.confidence >= floor and c.label in known)


def start_procedure(state: ConversationState, out: Out, pid: str, confidence: float,
                    keep_answers: bool = False) -> ConversationState:
    """Begin a procedure: name it, warn about its status, then run its flow."""
    content = out.ctx.content
    proc = content.procedure(pid)
    if proc is None:
        out.phrase("not_understood")
        return state
    state = replace(
        state.push(out.ctx.thresholds.max_history) if state.phase == "flow" else state,
        phase="flow", procedure_id=pid, step_id=None, item=0, pending=None,
        answers=state.answers if keep_answers else (), fields=state.fields if keep_answers else (),
        docs_have=(), docs_missing=(), candidates=(), clarify_offset=0, clarify_failures=0, misses=0,
    )
    out.emit(ev.ProcedureIdentified(procedure_id=pid, confidence=round(confidence, 4)))
    intro = out.p("identified", name=proc.name)
    if proc.summary:
        intro += " " + proc.summary
    flow = content.flow(pid)
    if proc.level == "info" or flow is None:
        out.say(intro)
        out.phrase("info_level", name=proc.name, authority=proc.authority.text)
        return request_handoff(replace(state, phase="done"), out, "info_level")
    if proc.status in (Status.possibly_abolished, Status.under_review):
        out.say(intro)
        buttons = (human_button(out), Button(out.p("status_continue"), CONTINUE_REF))
        out.phrase("status_uncertain", note=proc.status_note or "", buttons=buttons)
        return replace(state, pending=Pending(PendingKind.STATUS_WARNING, pid, buttons))
    if proc.status == Status.changed and proc.status_note:
        intro += "\n" + out.p("status_changed", note=proc.status_note)
    # Resolutions in force are told with the fee and the legal basis, where they matter, not before question one.
    return start_flow(state, out, flow, lead=intro)


def clarify(state: ConversationState, out: Out, cands: tuple[str, ...], offset: int) -> ConversationState:
    """Ask "Bạn cần thủ tục nào?" with the next few candidates as buttons."""
    th = out.ctx.thresholds
    shown = cands[offset: offset + th.clarify_size]
    if not shown:
        return clarification_failed(state, out)
    buttons = tuple(Button(out.ctx.content.procedures[c].name, PICK + c) for c in shown)
    buttons += (Button(out.p("clarify_none"), NONE_OF_THESE),)
    out.phrase("clarify" if offset == 0 else "clarify_more", buttons=buttons)
    out.emit(ev.ClarificationAsked(candidates=list(shown)))
    return replace(state, phase="clarify", candidates=cands, clarify_offset=offset,
                   pending=Pending(PendingKind.CLARIFY, None, buttons))


def clarification_failed(state: ConversationState, out: Out) -> ConversationState:
    """Two failed clarifications in a row: offer a person instead of guessing again."""
    out.emit(ev.ClarificationFailed(failures=state.clarify_failures + 1, candidates=list(state.candidates)))
    buttons = (Button(out.p("offer_human_yes"), HUMAN), Button(out.p("offer_human_no"), "/huy"))
    out.phrase("clarify_failed", buttons=buttons)
    return replace(state, phase="idle", candidates=(), clarify_offset=0, clarify_failures=0,
                   pending=Pending(PendingKind.OFFER_HUMAN, None, buttons))


def answer_clarify(state: ConversationState, out: Out, raw: str, folded: str) -> ConversationState | None:
    """A tapped candidate, a number, its name, or "không phải" (next candidates)."""
    pending = state.pending
    if pending is None:
        return None
    if raw.startswith(PICK):
        pid = raw.removeprefix(PICK).strip()
        return start_procedure(state, out, pid, 1.0) if pid in out.ctx.content.procedures else None
    pick = None
    if folded.isdigit() and 1 <= int(folded) <= len(pending.buttons):
        pick = pending.buttons[int(folded) - 1]
    else:
        pick = next((b for b in pending.buttons if folded and fold(b.title) == folded), None)
    if pick is not None and pick.payload.startswith(PICK):
        return start_procedure(state, out, pick.payload.removeprefix(PICK), 1.0)
    if raw == NONE_OF_THESE or (pick is not None and pick.payload == NONE_OF_THESE) or folded in {
        "khong phai", "ko phai", "k phai", "khong", "sai roi", "khong co", "deu khong phai"
    }:
        return next_candidates(state, out)
    return None


def next_candidates(state: ConversationState, out: Out) -> ConversationState:
    failures = state.clarify_failures + 1
    state = replace(state, clarify_failures=failures)
    if failures >= out.ctx.thresholds.max_clarify_failures:
        return clarification_failed(state, out)
    return clarify(state, out, state.candidates, state.clarify_offset + out.ctx.thresholds.clarify_size)
