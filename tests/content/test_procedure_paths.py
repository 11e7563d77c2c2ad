"""Every catalog procedure, walked through every combination of answers (the engine's own ``applies`` rule).

What is checked is what a citizen would notice: no path strands the citizen before the review or a person,
no checklist is empty or lists a paper twice, the form is asked whole and in its printed order, the text is
Vietnamese with diacritics, every fact names a source or is flagged for an admin, and the real (pure) engine
walks each path to the same checklist. A new procedure gets all of this from its catalog file; how one
procedure differs is data in procedure_facts.py, and what the law makes different per branch is in
test_procedure_branches.py.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest

from bot.content.flow import DocumentsStep, FieldsStep, HandoffStep, MessageStep, QuestionStep, ReviewStep
from bot.content.loader import load_content
from bot.content.snapshot import ContentSnapshot
from bot.engine import CitizenSaid, ConversationState, InboundMessage, TurnContext, step
from nlu.api import Candidate, Understanding
from tests.content.flowwalk import Walk, asked_docs, said, walk
from tests.content.procedure_facts import EXPECT, PROVINCES, REVIEWED, expect
from tests.fakes.walker import VALUES

ROOT = Path(__file__).parents[2]
IDS = sorted(p.stem for p in (ROOT / "procedures_catalog").glob("*.yml") if not p.name.startswith("_"))
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)
TODAY = dt.date(2026, 11, 24)


@cache
def shipped() -> ContentSnapshot:
    """The whole shipped content, validated together (a broken file anywhere fails here, by name)."""
    return load_content(ROOT, require_all=False)


@pytest.fixture(scope="module")
def snapshot() -> ContentSnapshot:
    return shipped()


@cache
def paths(pid: str) -> list[Walk]:
    return walk(shipped().flows[pid])


def reviews(pid: str) -> list[Walk]:
    return [p for p in paths(pid) if p.outcome == "review"]


def test_every_catalog_entry_loads_with_a_flow_and_its_facts(snapshot: ContentSnapshot) -> None:
    spec_ids = {e.id for e in snapshot.spec}
    for pid in IDS:
        assert pid in spec_ids and pid in snapshot.procedures and pid in snapshot.flows, pid
        assert snapshot.procedures[pid].level == "full", pid
    assert set(EXPECT) <= set(IDS), "procedure_facts.py names a procedure the catalog does not have"


@pytest.mark.parametrize("pid", IDS)
def test_every_path_reaches_review_or_a_person(snapshot: ContentSnapshot, pid: str) -> None:
    found = paths(pid)
    assert not [p.answers for p in found if p.outcome == "fell_off"], "a path runs past the last step"
    assert any(p.outcome == "review" for p in found)
    for p in found:
        if p.outcome in ("handoff", "end") or (p.outcome.startswith("switch:") and expect(pid).switch_explained):
            assert p.messages, f"answer {p.answers} leaves without telling the citizen why"
        if p.outcome.startswith("switch:"):
            target = p.outcome.removeprefix("switch:")
            assert target != pid and target in snapshot.procedures
            assert any(q.outcome == "review" for q in paths(target)), f"switch to {target} dead-ends"
    for s in snapshot.flows[pid].steps:
        for o in s.options if isinstance(s, QuestionStep) else ():
            if o.handoff or o.end:
                assert o.say and VIETNAMESE.search(said(o.say)), f"{s.id}/{o.value}: must say why"
    if expect(pid).needs_handoff:
        assert any(p.outcome == "handoff" for p in found), "disputes or unverified rules should reach a person"
        assert any(o.handoff for s in snapshot.flows[pid].steps if isinstance(s, QuestionStep) for o in s.options)


@pytest.mark.parametrize("pid", IDS)
def test_checklists_are_never_empty_and_answers_change_them(snapshot: ContentSnapshot, pid: str) -> None:
    proc = snapshot.procedures[pid]
    for p in reviews(pid):
        assert p.docs, f"empty checklist with {p.answers}"
        assert len(p.docs) == len(set(p.docs)), f"a document is listed twice with {p.answers}"
        assert len(p.fields) == len(set(p.fields)), f"a field is asked twice with {p.answers}"
        assert all(proc.document(d) for d in p.docs) and all(proc.form_field(f) for f in p.fields)
        if proc.form:
            required = {f.id for f in proc.form.fields if f.required}
            missing = required - set(p.asked) - set(p.prefilled)
            assert all(expect(pid).may_skip(f, p.answers) for f in missing), \
                f"required fields never asked: {sorted(missing)} with {p.answers}"
            assert p.asked or all(expect(pid).may_skip(f, p.answers) for f in required), "the form is never asked"
    lists = {tuple(p.docs) for p in reviews(pid)}
    if expect(pid).one_checklist:
        assert len(lists) == 1
    else:
        assert len(lists) >= 2, "no eligibility answer changes the document list"


@pytest.mark.parametrize("pid", IDS)
def test_flow_refers_to_existing_items_in_form_order(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow, want = snapshot.procedures[pid], snapshot.flows[pid], expect(pid)
    walked = [it.doc for s in flow.steps if isinstance(s, DocumentsStep) for it in s.items]
    asked = list(dict.fromkeys(it.field for s in flow.steps if isinstance(s, FieldsStep) for it in s.items))
    assert all(proc.document(d) for d in walked) and all(proc.form_field(f) for f in asked)
    assert {d.id for d in proc.documents} - set(walked) == want.not_walked, "a catalog document is never shown"
    assert {d.id for d in proc.documents} - {d for p in reviews(pid) for d in p.docs} == want.not_walked, \
        "a catalog document is on no path that reaches the review"
    questions = [s for s in flow.steps if isinstance(s, QuestionStep)]
    combined = [s for s in questions if any(o.sets for o in s.options)]   # "Đúng cả": a shortcut, not one more ask
    assert want.questions[0] <= len(questions) - len(combined) <= want.questions[1]
    assert (proc.form is not None) is want.form
    if proc.form is None:
        assert not asked
        return
    order = [f.id for f in proc.form.fields]
    assert set(order) == set(asked) == {f for p in reviews(pid) for f in p.fields}, "every form field is asked"
    assert asked == [f for f in order if f in asked], "fields are asked in the order printed on the form"
    for p in reviews(pid):
        assert p.fields == sorted(p.fields, key=order.index)
    kinds = [type(s) for s in flow.steps]
    assert kinds.index(DocumentsStep) < kinds.index(FieldsStep) < kinds.index(ReviewStep)
    # Question ids and field ids share no names, so an answer never shadows a typed value.
    assert {s.id for s in questions} & set(order) == want.shared_ids
    for s in flow.steps:
        for it in s.items if isinstance(s, FieldsStep) else ():
            f = proc.form_field(it.field)
            if it.prefill_from and f is not None and f.type == "choice":   # a prefilled choice is one of the form's
                q = next(x for x in questions if x.id == it.prefill_from)
                if it.prefill_map:   # only the mapped answers fill it; for the others the field is asked
                    assert set(it.prefill_map.values()) <= set(f.choices), it.field
                    continue
                for o in q.options:
                    if not (o.handoff or o.switch_to or o.end):
                        assert o.label in f.choices, (it.field, o.value)


@pytest.mark.parametrize("pid", IDS)
def test_facts_name_sources_or_are_flagged(snapshot: ContentSnapshot, pid: str) -> None:
    proc, want = snapshot.procedures[pid], expect(pid)
    assert proc.last_reviewed == REVIEWED
    assert proc.sources, "the entry names its sources"
    ids = [s.id for s in proc.sources]
    assert len(ids) == len(set(ids))
    if want.code is None:
        assert proc.national_code is None, "a code no source confirms must not be shown"
    else:
        assert proc.national_code is not None and proc.national_code.text == want.code
        assert proc.national_code.sources == want.code_sources and proc.national_code.verified
    facts = [proc.national_code, proc.authority, proc.time_limit, proc.dossier_sets, proc.result, *proc.legal_basis]
    if proc.submission:
        facts += [proc.submission.where] + ([proc.submission.online_note] if proc.submission.online_note else [])
    facts += [*proc.documents, proc.fee]
    for f in facts:
        if f is not None:
            assert set(f.sources) <= set(ids), f"unknown source in {f!r}"
            assert f.sources or not f.verified, f"{f!r} is marked verified without a source"
    flagged = [f for f in facts if f is not None and not f.verified] + [c for c in proc.changes if not c.verified]
    if proc.form and not proc.form.verified:
        flagged.append(proc.form)
    # an entry with any unverified fact says so at the top, so an admin knows to check it (an entry may also stay
    # flagged for points of its notes nobody checked yet: the flag is only ever the careful side)
    assert not (flagged and proc.verified), flagged
    for c in proc.changes:
        assert c.valid_from is None or c.valid_to is None or c.valid_from <= c.valid_to
    for prov in proc.province_overrides:
        assert prov in PROVINCES, f"unknown province key {prov!r}"


@pytest.mark.parametrize("pid", IDS)
def test_citizen_text_is_vietnamese_and_names_are_many(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    names = proc.colloquial_names
    assert 8 <= len(names) <= 15
    assert len({n.casefold() for n in names}) == len(names)
    assert sum(not VIETNAMESE.search(n) for n in names) <= expect(pid).plain_names
    texts = [proc.name, proc.official_name, proc.summary or "", flow.intro or ""]
    texts += [d.explain for d in proc.documents] + [d.how_to_get or "" for d in proc.documents]
    for s in flow.steps:
        if isinstance(s, QuestionStep):
            texts += [s.ask] + [said(o.say) for o in s.options if o.say]
            texts += [o.label for o in s.options if len(o.label) > 12]
        elif isinstance(s, (MessageStep, HandoffStep)):
            texts.append(s.say)
    texts += [f.ask or f.label for f in proc.form.fields] if proc.form else []
    for t in texts:
        if t:
            assert VIETNAMESE.search(t), f"text without diacritics: {t!r}"
    for d in proc.documents:
        assert len(d.explain) >= 30 and d.how_to_get, d.id


@pytest.mark.parametrize("pid", IDS)
def test_vneid_exemption_is_asked_exactly_where_the_fee_has_one(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    vneid = [s for s in flow.steps if isinstance(s, QuestionStep) and "vneid" in s.id]
    if proc.fee and proc.fee.vneid_exemption and expect(pid).vneid_asked:
        assert vneid, "the fee has a VNeID exemption but the flow never asks about VNeID"
        yes = [o for o in vneid[0].options if o.value == "yes"]
        assert yes and "66.22/2026" in said(yes[0].say), "answering yes must tell the exemption"
        assert {o.value for o in vneid[0].options} == {"yes", "no"}
        window = [c for c in proc.changes if "66.22/2026" in c.resolution]
        assert window and window[0].valid_from == dt.date(2026, 8, 15) and window[0].valid_to == dt.date(2027, 2, 28)
        assert window[0] in proc.active_changes(TODAY)
    else:
        for s in vneid:   # free procedures, or VNeID needed to file at all: no exemption talk
            assert all("66.22" not in (o.say or "") for o in s.options)
        if expect(pid).vneid_only_for_fee:
            assert not [s for s in vneid if s.id.startswith("vneid")], "do not promise a reduction the catalog lacks"


@pytest.mark.parametrize("pid", [p for p in IDS if expect(p).foreign_handoff])
def test_foreign_element_goes_to_a_person(snapshot: ContentSnapshot, pid: str) -> None:
    first = [s for s in snapshot.flows[pid].steps if isinstance(s, QuestionStep)][:3]
    foreign = [o for s in first for o in s.options
               if o.handoff and re.search(r"nước ngoài", (o.label + " " + (o.say or "")), re.IGNORECASE)]
    assert foreign, "a foreign-element case must be handed to a person early"
    assert all(o.say for o in foreign), "the hand-off explains why"


@pytest.mark.parametrize("pid", [p for p in IDS if expect(p).form])
def test_review_labels_are_unambiguous(snapshot: ContentSnapshot, pid: str) -> None:
    """The review lists "label: value"; two fields with one label (bride's and groom's name) would be unreadable."""
    form = snapshot.procedures[pid].form
    assert form is not None
    labels = [f.label for f in form.fields]
    assert len(labels) == len(set(labels)), sorted({x for x in labels if labels.count(x) > 1})


def test_no_name_points_at_two_procedures(snapshot: ContentSnapshot) -> None:
    """The NLU retrieves on names: one phrase naming two procedures would make them tie."""
    owner: dict[str, str] = {}
    for pid in IDS:
        proc = snapshot.procedures[pid]
        for name in {n.lower().strip() for n in (proc.name, proc.official_name, *proc.colloquial_names)}:
            assert owner.setdefault(name, pid) == pid, f"'{name}' names both {owner[name]} and {pid}"


# --- the same paths through the real (pure) engine ----------------------------------------------

# A second valid value where the first contradicts a path's answers (a birth within 60 days of TODAY).
OTHER = {"date_past": "01/11/2026", "date": "01/11/2026"}


class Citizen:
    """Drives `bot.engine.step` with typed messages; the NLU's answer is given, not computed."""

    def __init__(self, snapshot: ContentSnapshot) -> None:
        self.ctx = TurnContext(content=snapshot, today=TODAY, new_draft_code="HT-TEST01")
        self.state = ConversationState()
        self.events: list[str] = []

    def say(self, text: str, pid: str | None = None) -> None:
        understanding = Understanding(text=text, ranking=(Candidate(pid, 0.95),)) if pid else None
        msg = InboundMessage(channel="test", sender_id="u", text=text, payload=text if text.startswith("/") else None)
        turn = step(self.state, CitizenSaid(msg, understanding), self.ctx)
        self.state = turn.state
        self.events += [e.type for e in turn.events]


def drive(snapshot: ContentSnapshot, pid: str, answers: dict[str, str]) -> tuple[Citizen, list[str], list[str]]:
    """Ask for ``pid`` in free text, answer its questions with ``answers``, have every paper, fill the form."""
    proc = snapshot.procedures[pid]
    c = Citizen(snapshot)
    c.say(f"cho tôi hỏi thủ tục {proc.name.lower()}", pid)
    shown: list[str] = []
    asked: list[str] = []
    for _ in range(150):
        pending = c.state.pending
        if pending is None or pending.kind == "review" or c.state.procedure_id != pid:
            break
        if pending.kind == "status_warning":
            c.say("/thamkhao")
        elif pending.kind == "question":
            if pending.ref not in answers:
                break
            c.say(f"/tl {pending.ref} {answers[pending.ref]}")
        elif pending.kind == "document":
            shown.append(pending.ref or "")
            c.say("/giayto co")
        elif pending.kind == "field" and any(b.payload.startswith("/doi ") for b in pending.buttons):
            # the value contradicts an answer of this path (flow checks): type the other one of its type
            c.say(OTHER[proc.form_field(pending.ref or "").type])  # type: ignore[union-attr]
        elif pending.kind == "field":
            f = proc.form_field(pending.ref or "")
            assert f is not None
            asked.append(f.id)
            c.say(f.choices[0] if f.type == "choice" else VALUES[f.type])
        else:
            break
    return c, shown, asked


def copied_fields(snapshot: ContentSnapshot, pid: str, typed: dict[str, str]) -> set[str]:
    """Fields the engine copies from another field because a typed value makes it certain (``copy_if``)."""
    items = [it for s in snapshot.flows[pid].steps if isinstance(s, FieldsStep) for it in s.items]
    return {it.field for it in items if it.copy_if and all(typed.get(k) in (v if isinstance(v, (list, tuple)) else [v])
                                                            for k, v in it.copy_if.items())}


@pytest.mark.parametrize("pid", IDS)
def test_engine_walks_every_branch_to_the_review_with_the_same_checklist(snapshot: ContentSnapshot, pid: str) -> None:
    for p in paths(pid):
        c, shown, asked = drive(snapshot, pid, p.answers)
        if p.outcome == "review":
            assert c.state.pending is not None and c.state.pending.kind == "review", f"stuck with {p.answers}"
            want = asked_docs(snapshot.procedures[pid], p.docs)
            assert shown == want, f"engine showed {shown}, content says {want} for {p.answers}"
            copied = copied_fields(snapshot, pid, c.state.field_map)   # same_as made certain by a typed value
            expected = [f for f in p.asked if f not in copied]
            assert asked == expected, f"engine asked {asked}, content says {expected} for {p.answers}"
            assert "review_reached" in c.events
        elif p.outcome == "handoff":
            assert "handoff_requested" in c.events, f"no person offered for {p.answers}"
        elif p.outcome == "end":
            assert c.state.phase == "done"
        else:
            assert c.state.procedure_id == p.outcome.split(":", 1)[1]
