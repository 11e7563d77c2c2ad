"""Content checks for the residence (cư trú) and social-protection (xã hội) procedures.

Each flow is walked through every combination of answers with the same ``applies`` rule the
engine uses. What is checked is what a citizen would notice: where the law asks for different
papers the checklist differs, no path strands the citizen before the review or a person, cases
the bot must not handle alone go to a person with an explanation, the form is asked in the
order it is printed, and every fact names its source or is flagged for an admin.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.content.flow import (
    DocumentsStep,
    FieldsStep,
    HandoffStep,
    MessageStep,
    QuestionStep,
)
from bot.content.snapshot import ContentSnapshot
from bot.engine import CitizenSaid, ConversationState, InboundMessage, TurnContext, step
from nlu.api import Candidate, Understanding
from tests.content.flowwalk import Walk, area_snapshot, asked_docs, said, walk

ROOT = Path(__file__).parents[2]
MINE = (
    "cu-tru.thuong-tru",
    "cu-tru.tam-tru",
    "cu-tru.xac-nhan-cu-tru",
    "xa-hoi.tro-cap-hang-thang",
    "xa-hoi.mai-tang-phi",
    "xa-hoi.xac-dinh-khuyet-tat",
    "xa-hoi.ho-ngheo",
)
# Flows may switch to these (other engineers' procedures, loaded read-only so switches can be checked).
NEIGHBOURS = ("ho-tich.khai-sinh", "ho-tich.lien-thong-khai-sinh", "ho-tich.khai-tu")
# National codes the reference confirms (domain-facts §6–7); the others must stay empty.
CODES = {
    "cu-tru.thuong-tru": "1.004222",
    "cu-tru.tam-tru": "1.004194",
    "xa-hoi.mai-tang-phi": "1.001731",
    "xa-hoi.xac-dinh-khuyet-tat": "1.001699",
}
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def snapshot() -> ContentSnapshot:
    """My entries and flows (plus switch targets) validated together, independent of others' half-edited files."""
    return area_snapshot((*MINE, *NEIGHBOURS))


def reviews(snapshot: ContentSnapshot, pid: str, **answers: str) -> list[Walk]:
    """Review paths whose answers include ``answers`` (at least one must exist)."""
    hits = [p for p in walk(snapshot.flows[pid])
            if p.outcome == "review" and all(p.answers.get(k) == v for k, v in answers.items())]
    assert hits, f"{pid}: no path reaches the review with {answers}"
    return hits


def on_every(snapshot: ContentSnapshot, pid: str, doc: str, **answers: str) -> bool:
    return all(doc in p.docs for p in reviews(snapshot, pid, **answers))


def on_none(snapshot: ContentSnapshot, pid: str, doc: str, **answers: str) -> bool:
    return all(doc not in p.docs for p in reviews(snapshot, pid, **answers))


def outcomes(snapshot: ContentSnapshot, pid: str, **answers: str) -> set[str]:
    return {p.outcome for p in walk(snapshot.flows[pid]) if all(p.answers.get(k) == v for k, v in answers.items())}


# --- every procedure ----------------------------------------------------------------------------

def test_all_my_procedures_load_with_a_flow(snapshot: ContentSnapshot) -> None:
    spec_ids = {e.id for e in snapshot.spec}
    for pid in MINE:
        assert pid in spec_ids
        assert pid in snapshot.procedures and pid in snapshot.flows
        assert snapshot.procedures[pid].level == "full"


@pytest.mark.parametrize("pid", MINE)
def test_every_path_reaches_review_or_a_person(snapshot: ContentSnapshot, pid: str) -> None:
    paths = walk(snapshot.flows[pid])
    assert not [p.answers for p in paths if p.outcome == "fell_off"], "a path runs past the last step"
    assert any(p.outcome == "review" for p in paths)
    for p in paths:
        if p.outcome.startswith("switch:"):
            target = p.outcome.split(":", 1)[1]
            assert target != pid and target in snapshot.procedures
            assert any(q.outcome == "review" for q in walk(snapshot.flows[target])), f"switch to {target} dead-ends"
    flow = snapshot.flows[pid]
    for s in flow.steps:
        if isinstance(s, QuestionStep):
            for o in s.options:
                if o.handoff or o.end:
                    assert o.say and VIETNAMESE.search(o.say), f"{s.id}/{o.value}: a hand-off must say why"


@pytest.mark.parametrize("pid", MINE)
def test_checklist_never_empty_and_form_fully_asked(snapshot: ContentSnapshot, pid: str) -> None:
    proc = snapshot.procedures[pid]
    for p in reviews(snapshot, pid):
        assert p.docs, f"empty checklist with {p.answers}"
        assert len(p.docs) == len(set(p.docs)), f"a document is listed twice with {p.answers}"
        assert proc.form is not None
        got = set(p.asked) | set(p.prefilled)
        assert len(p.asked) == len(set(p.asked)), f"a field is asked twice with {p.answers}"
        required = {f.id for f in proc.form.fields if f.required}
        missing = required - got
        # The only required fields a path may leave out are those of the other filer kind
        # (organisation vs family for mai táng, representative when the person files alone).
        allowed = {"org_name", "org_address", "org_rep_name", "org_rep_title", "filer_name", "filer_birth_date",
                   "filer_id", "filer_residence", "filer_relation", "rep_name", "rep_relation", "rep_id", "kinh_gui"}
        assert missing <= allowed, f"required fields never asked: {sorted(missing - allowed)} with {p.answers}"


@pytest.mark.parametrize("pid", [p for p in MINE if p != "xa-hoi.ho-ngheo"])
def test_some_answer_changes_the_checklist(snapshot: ContentSnapshot, pid: str) -> None:
    assert len({tuple(p.docs) for p in reviews(snapshot, pid)}) >= 2, "no eligibility answer changes the document list"


@pytest.mark.parametrize("pid", MINE)
def test_flow_refers_to_existing_items_in_form_order(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    walked = [it.doc for s in flow.steps if isinstance(s, DocumentsStep) for it in s.items]
    asked = list(dict.fromkeys(it.field for s in flow.steps if isinstance(s, FieldsStep) for it in s.items))
    assert all(proc.document(d) for d in walked)
    assert all(proc.form_field(f) for f in asked)
    assert {d.id for d in proc.documents} == set(walked), "a catalog document is never shown"
    assert proc.form is not None
    order = [f.id for f in proc.form.fields]
    assert set(order) == set(asked), "every form field is asked somewhere"
    assert asked == [f for f in order if f in asked], "fields are asked in the order printed on the form"
    kinds = [type(s).__name__ for s in flow.steps]
    assert kinds.index("DocumentsStep") < kinds.index("FieldsStep") < kinds.index("ReviewStep")
    questions = [s for s in flow.steps if isinstance(s, QuestionStep)]
    combined = [s for s in questions if any(o.sets for o in s.options)]   # "Đúng cả": a shortcut, not one more ask
    assert 2 <= len(questions) - len(combined) <= 6
    # Question ids and field ids share no names, so an answer never shadows a typed value.
    assert not {s.id for s in questions} & set(order)


@pytest.mark.parametrize("pid", MINE)
def test_facts_name_sources_or_are_flagged(snapshot: ContentSnapshot, pid: str) -> None:
    proc = snapshot.procedures[pid]
    assert proc.last_reviewed == TODAY
    assert proc.sources, "the entry names its sources"
    known = {s.id for s in proc.sources}
    if pid in CODES:
        assert proc.national_code is not None and proc.national_code.text == CODES[pid]
        assert proc.national_code.sources
    else:
        assert proc.national_code is None, "a code no source confirms must not be shown"
    facts = [proc.authority, proc.time_limit, proc.dossier_sets, proc.result, *proc.legal_basis]
    if proc.national_code:
        facts.append(proc.national_code)
    if proc.submission:
        facts += [proc.submission.where] + ([proc.submission.online_note] if proc.submission.online_note else [])
    for f in facts:
        if f is not None:
            assert set(f.sources) <= known, f"unknown source in {f.text!r}"
    flagged = [f for f in facts if f is not None and not f.verified]
    flagged += [d for d in proc.documents if not d.verified]
    flagged += [c for c in proc.changes if not c.verified]
    if proc.fee and not proc.fee.verified:
        flagged.append(proc.fee)
    if proc.form and not proc.form.verified:
        flagged.append(proc.form)
    if flagged:
        assert proc.verified is False, "an entry relying on memory must say verified: false"
    for d in proc.documents:
        assert set(d.sources) <= known
        assert d.explain and VIETNAMESE.search(d.explain) and d.how_to_get


@pytest.mark.parametrize("pid", MINE)
def test_citizen_text_is_vietnamese_and_names_are_many(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    assert 8 <= len(proc.colloquial_names) <= 15
    assert len(set(proc.colloquial_names)) == len(proc.colloquial_names)
    assert all(VIETNAMESE.search(n) for n in proc.colloquial_names)
    texts = [proc.name, proc.official_name, proc.summary or ""]
    for s in flow.steps:
        if isinstance(s, QuestionStep):
            texts.append(s.ask)
            texts += [o.say for o in s.options if o.say]
        elif isinstance(s, (MessageStep, HandoffStep)):
            texts.append(s.say)
    texts += [f.ask or f.label for f in proc.form.fields]
    for t in texts:
        assert VIETNAMESE.search(t), f"text without diacritics: {t!r}"


@pytest.mark.parametrize("pid", MINE)
def test_vneid_exemption_is_asked_exactly_where_a_fee_is_charged(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    vneid = [s for s in flow.steps if isinstance(s, QuestionStep) and s.id == "vneid_level2"]
    if proc.fee and proc.fee.vneid_exemption:
        assert vneid, "the fee has a VNeID exemption but the flow never asks about VNeID"
        yes = next(o for o in vneid[0].options if o.value == "yes")
        assert "66.22/2026" in said(yes.say), "answering yes must tell the exemption"
        window = [c for c in proc.changes if "66.22/2026" in c.resolution]
        assert window and window[0].valid_from == dt.date(2026, 8, 15) and window[0].valid_to == dt.date(2027, 2, 28)
        assert window[0] in proc.active_changes(TODAY)
        # Someone already exempt is not asked again.
        assert all("vneid_level2" not in p.answers for p in reviews(snapshot, pid, exempt_group="yes"))
        assert all("vneid_level2" in p.answers for p in reviews(snapshot, pid, exempt_group="no"))
    else:
        assert not vneid, "no fee, so no exemption to talk about"
        assert proc.fee is not None and "Không" in proc.fee.text


# --- where the law gives different papers -------------------------------------------------------

def test_thuong_tru_housing_decides_the_papers(snapshot: ContentSnapshot) -> None:
    pid = "cu-tru.thuong-tru"
    assert on_every(snapshot, pid, "giay-to-so-huu-cho-o", housing="own")
    assert on_none(snapshot, pid, "y-kien-dong-y-chu-ho", housing="own")
    assert on_none(snapshot, pid, "hop-dong-thue-muon", housing="own")
    assert on_every(snapshot, pid, "y-kien-dong-y-chu-ho", housing="relative")
    assert on_every(snapshot, pid, "giay-to-quan-he-nhan-than", housing="relative", relation_in_db="no")
    assert on_none(snapshot, pid, "giay-to-quan-he-nhan-than", housing="relative", relation_in_db="yes")
    assert on_every(snapshot, pid, "hop-dong-thue-muon", housing="rent")
    assert on_none(snapshot, pid, "giay-to-so-huu-cho-o", housing="rent")
    assert on_every(snapshot, pid, "y-kien-cha-me-giam-ho", has_minor="yes")
    assert on_none(snapshot, pid, "y-kien-cha-me-giam-ho", has_minor="no")
    assert outcomes(snapshot, pid, housing="rent", min_area="no") == {"handoff"}
    assert outcomes(snapshot, pid, housing="newborn") == {"switch:ho-tich.lien-thong-khai-sinh"}
    assert outcomes(snapshot, pid, housing="other") == {"handoff"}
    assert "20.000" in snapshot.procedures[pid].fee.text and "10.000" in snapshot.procedures[pid].fee.text


def test_tam_tru_contract_or_commitment(snapshot: ContentSnapshot) -> None:
    pid = "cu-tru.tam-tru"
    assert on_every(snapshot, pid, "van-ban-cho-thue-muon", stay_type="rent", has_paper="yes")
    assert on_none(snapshot, pid, "van-ban-cam-ket", stay_type="rent", has_paper="yes")
    assert on_every(snapshot, pid, "van-ban-cam-ket", stay_type="relative", has_paper="no")
    assert on_every(snapshot, pid, "giay-to-co-so-luu-tru", stay_type="dorm")
    assert on_none(snapshot, pid, "y-kien-dong-y-chu-nha", stay_type="dorm")
    assert on_every(snapshot, pid, "y-kien-dong-y-chu-nha", stay_type="rent")
    assert on_every(snapshot, pid, "y-kien-cha-me-giam-ho", is_minor="yes")
    assert outcomes(snapshot, pid, stay_type="rent", owner_agrees="no") == {"handoff"}
    assert "03 ngày" in snapshot.procedures[pid].time_limit.text


def test_xac_nhan_cu_tru_paper_or_online(snapshot: ContentSnapshot) -> None:
    pid = "cu-tru.xac-nhan-cu-tru"
    assert on_every(snapshot, pid, "to-khai-ct01", channel="in_person")
    assert on_none(snapshot, pid, "yeu-cau-truc-tuyen", channel="in_person")
    assert on_every(snapshot, pid, "yeu-cau-truc-tuyen", channel="online")
    assert on_none(snapshot, pid, "to-khai-ct01", channel="online")
    proc = snapshot.procedures[pid]
    assert proc.document("yeu-cau-truc-tuyen").form.value == "electronic"
    assert "01 năm" in proc.result.text and "CT07" in proc.result.text
    # The request wording is prefilled from the answer when the citizen picked a listed case.
    assert all("request_content" in p.prefilled for p in reviews(snapshot, pid, what_to_confirm="history"))
    assert all("request_content" in p.asked for p in reviews(snapshot, pid, what_to_confirm="other"))


def test_tro_cap_form_and_papers_follow_the_group(snapshot: ContentSnapshot) -> None:
    pid = "xa-hoi.tro-cap-hang-thang"
    forms = {"child": "to-khai-tre-em", "single_parent": "to-khai-don-than", "elderly": "to-khai-nguoi-cao-tuoi",
             "disabled": "to-khai-nguoi-khuyet-tat", "caregiver": "to-khai-nhan-cham-soc"}
    for group, doc in forms.items():
        assert on_every(snapshot, pid, doc, group=group)
        for other in set(forms.values()) - {doc}:
            assert on_none(snapshot, pid, other, group=group)
    assert on_every(snapshot, pid, "giay-xac-nhan-khuyet-tat", group="disabled")
    assert on_every(snapshot, pid, "giay-khai-sinh", group="caregiver", cared_person="child")
    assert on_none(snapshot, pid, "giay-khai-sinh", group="caregiver", cared_person="disabled")
    assert on_every(snapshot, pid, "giay-chung-nhan-ho-ngheo", group="elderly")
    assert on_none(snapshot, pid, "giay-chung-nhan-ho-ngheo", group="child")
    # Without the papers that prove eligibility, the citizen is walked to the procedure that gives them.
    assert outcomes(snapshot, pid, group="disabled", has_disability_cert="no") == {"switch:xa-hoi.xac-dinh-khuyet-tat"}
    assert outcomes(snapshot, pid, group="elderly", poor_household="no") == {"switch:xa-hoi.ho-ngheo"}
    assert outcomes(snapshot, pid, group="elderly", pension_age="yes") == {"handoff"}


def test_mai_tang_papers_follow_the_deceased(snapshot: ContentSnapshot) -> None:
    pid = "xa-hoi.mai-tang-phi"
    assert on_every(snapshot, pid, "to-khai-mau-2-huu-tri", deceased_group="pension_social")
    assert on_none(snapshot, pid, "to-khai-mau-04", deceased_group="pension_social")
    assert on_every(snapshot, pid, "to-khai-mau-04", deceased_group="social")
    assert on_every(snapshot, pid, "quyet-dinh-thoi-huong-tuat", deceased_group="over80")
    assert on_none(snapshot, pid, "quyet-dinh-thoi-huong-tuat", deceased_group="social")
    assert on_every(snapshot, pid, "giay-khai-sinh-con", deceased_group="child_single_parent")
    assert on_every(snapshot, pid, "trich-luc-khai-tu")
    assert outcomes(snapshot, pid, death_registered="no") == {"switch:ho-tich.khai-tu"}
    assert outcomes(snapshot, pid, deceased_group="other") == {"handoff"}
    assert all("org_name" in p.asked and "filer_name" not in p.asked for p in reviews(snapshot, pid, filer="org"))
    assert all("filer_name" in p.asked and "org_name" not in p.asked for p in reviews(snapshot, pid, filer="person"))


def test_khuyet_tat_old_paper_and_medical_records(snapshot: ContentSnapshot) -> None:
    pid = "xa-hoi.xac-dinh-khuyet-tat"
    assert on_every(snapshot, pid, "giay-xac-nhan-cu", request_type="redo")
    assert on_none(snapshot, pid, "giay-xac-nhan-cu", request_type="first")
    assert on_every(snapshot, pid, "giay-xac-nhan-cu", request_type="reissue", old_paper="kept")
    assert on_none(snapshot, pid, "giay-xac-nhan-cu", request_type="reissue", old_paper="lost")
    assert on_every(snapshot, pid, "giay-to-y-te", request_type="first", has_medical_papers="yes")
    assert on_none(snapshot, pid, "giay-to-y-te", request_type="reissue")
    assert all("rep_name" in p.asked for p in reviews(snapshot, pid, who_files="rep"))
    assert all("rep_name" not in p.asked for p in reviews(snapshot, pid, who_files="self"))
    assert "25 ngày" in snapshot.procedures[pid].time_limit.text


def test_ho_ngheo_one_request_paper_and_no_online_promise(snapshot: ContentSnapshot) -> None:
    pid = "xa-hoi.ho-ngheo"
    assert {tuple(p.docs) for p in reviews(snapshot, pid)} == {("giay-de-nghi-ra-soat",)}
    assert outcomes(snapshot, pid, wish="exit") == {"handoff"}
    proc = snapshot.procedures[pid]
    assert proc.submission.online == "none" and "online" not in proc.submission.channels
    assert "15" in proc.time_limit.text
    # The poverty line for 2026–2030 is unverified: the entry must not quote an income threshold.
    blob = " ".join([proc.summary or "", *proc.notes, proc.result.text])
    assert not re.search(r"\d[\d.]*\s*(đồng|đ)\b", blob)


# --- the same paths through the real (pure) engine ----------------------------------------------


# One valid answer per field type, as a citizen would type it.
TYPED = {
    "person_name": "Nguyễn Văn An", "date_past": "15/03/2020", "date": "15/03/2020", "year": "1990",
    "id_number": "079203012345", "phone": "0912345678", "email": "an.nguyen@example.com", "gender": "Nam",
    "ethnicity": "Kinh", "nationality": "Việt Nam", "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
    "number": "4", "text": "Công an phường Bến Thành",
}


class Citizen:
    """Drives `bot.engine.step` with typed messages; the NLU's answer is given, not computed."""

    def __init__(self, snapshot: ContentSnapshot) -> None:
        self.ctx = TurnContext(content=snapshot, today=TODAY, new_draft_code="CT-TEST01")
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
        elif pending.kind == "field":
            f = proc.form_field(pending.ref or "")
            assert f is not None
            asked.append(f.id)
            c.say(f.choices[0] if f.type == "choice" else TYPED[f.type])
        else:
            break
    return c, shown, asked


@pytest.mark.parametrize("pid", MINE)
def test_engine_walks_every_branch_to_the_review_with_the_same_checklist(snapshot: ContentSnapshot, pid: str) -> None:
    for p in walk(snapshot.flows[pid]):
        c, shown, asked = drive(snapshot, pid, p.answers)
        if p.outcome == "review":
            assert c.state.pending is not None and c.state.pending.kind == "review", f"stuck with {p.answers}"
            want = asked_docs(snapshot.procedures[pid], p.docs)
            assert shown == want, f"engine showed {shown}, content says {want} for {p.answers}"
            assert asked == p.asked, f"engine asked {asked}, content says {p.asked} for {p.answers}"
            assert "review_reached" in c.events
        elif p.outcome == "handoff":
            assert "handoff_requested" in c.events, f"no person offered for {p.answers}"
        elif p.outcome == "end":
            assert c.state.phase == "done"
        else:
            assert c.state.procedure_id == p.outcome.split(":", 1)[1]


@pytest.mark.parametrize("pid", MINE)
def test_review_labels_are_unambiguous(snapshot: ContentSnapshot, pid: str) -> None:
    """The review lists "label: value"; two fields with one label would be unreadable."""
    labels = [f.label for f in snapshot.procedures[pid].form.fields]
    assert len(labels) == len(set(labels)), sorted({x for x in labels if labels.count(x) > 1})
