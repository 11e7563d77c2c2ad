"""The back-stack ("quay lại") is stored compactly, and every stored state reads back exactly as it was written,
including states written before the compact form (a deploy must not reset citizens half-way through)."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.messages import Button
from bot.engine.state import ConversationState, Pending, Position

_word = st.text(alphabet="abcđêơ xyz-0123456789", min_size=0, max_size=6)
_pairs = st.lists(st.tuples(_word, _word), max_size=5).map(tuple)
_strs = st.lists(_word, max_size=4).map(tuple)
_pending = st.none() | st.builds(Pending, kind=st.sampled_from(["field", "question", "review"]),
                                 ref=st.none() | _word,
                                 buttons=st.lists(st.builds(Button, _word, _word), max_size=3).map(tuple))
_position = st.builds(Position, phase=st.sampled_from(["idle", "flow", "done"]), procedure_id=st.none() | _word,
                      step_id=st.none() | _word, item=st.integers(0, 9), answers=_pairs, fields=_pairs,
                      docs_have=_strs, docs_missing=_strs, pending=_pending)


@st.composite
def states(draw: st.DrawFn) -> ConversationState:
    cur = draw(_position)
    history = draw(st.lists(_position, max_size=6))
    # Realistic stacks too: each older position holds a prefix of the next newer one's fields.
    if history and draw(st.booleans()):
        history = [Position(p.phase, p.procedure_id, p.step_id, p.item, cur.answers, cur.fields[:i], cur.docs_have,
                            cur.docs_missing, p.pending) for i, p in enumerate(history)]
    s = ConversationState().restore(cur)
    return ConversationState(**{**{f: getattr(s, f) for f in ConversationState.__dataclass_fields__},
                                "history": tuple(history), "last_draft": draw(st.none() | _word),
                                "contact": draw(_pairs)})


@settings(max_examples=300, deadline=None)
@given(states())
def test_any_state_reads_back_exactly(state: ConversationState) -> None:
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict(), ensure_ascii=False))) == state


def _late_state(n_fields: int = 20) -> ConversationState:
    fields = tuple((f"field_{i}", f"giá trị số {i} của công dân") for i in range(n_fields))
    answers = (("born_in_vn", "yes"), ("foreign_parent", "no"))
    history = tuple(Position("flow", "ho-tich.khai-sinh", f"s{i}", 0, answers, fields[:i], ("giay_chung_sinh",), (),
                             Pending("field", f"field_{i}")) for i in range(n_fields))
    return ConversationState(phase="flow", procedure_id="ho-tich.khai-sinh", step_id="s20", answers=answers,
                             fields=fields, docs_have=("giay_chung_sinh",), history=history, welcomed=True)


def test_a_late_conversation_stores_each_field_once_not_once_per_back_step() -> None:
    state = _late_state()
    blob = json.dumps(state.to_dict(), ensure_ascii=False)
    assert blob.count("giá trị số 3 của công dân") == 1
    assert ConversationState.from_dict(json.loads(blob)) == state


def test_a_state_stored_with_whole_positions_still_reads() -> None:
    state = _late_state(5)
    old = state.to_dict()
    old["history"] = [{"phase": p.phase, "procedure_id": p.procedure_id, "step_id": p.step_id, "item": p.item,
                       "answers": [list(x) for x in p.answers], "fields": [list(x) for x in p.fields],
                       "docs_have": list(p.docs_have), "docs_missing": list(p.docs_missing),
                       "pending": {"kind": p.pending.kind, "ref": p.pending.ref, "buttons": []}}
                      for p in state.history]
    assert ConversationState.from_dict(old) == state


def test_a_damaged_back_stack_falls_back_to_a_fresh_conversation() -> None:
    d = _late_state(3).to_dict()
    d["history"][0]["fields_n"] = "nhiều"
    assert ConversationState.from_dict(d) == ConversationState()
