"""Content checks for the civil-status (hộ tịch) procedures besides khai sinh.

Each flow is walked through every combination of answers with the ``applies`` rule the
engine uses. What is checked is what a citizen would notice: where the law asks for
different papers the checklist differs, no path leaves the citizen stranded before the
review or a person, cases the bot must not handle alone go to a person, the form is asked
in the order it is printed, and every fact names its source or is flagged for an admin.
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
    "ho-tich.ket-hon",
    "ho-tich.lien-thong-khai-sinh",
    "ho-tich.khai-tu",
    "ho-tich.xac-nhan-tinh-trang-hon-nhan",
    "ho-tich.trich-luc",
    "ho-tich.thay-doi-cai-chinh",
    "ho-tich.nhan-cha-me-con",
    "ho-tich.giam-ho",
    "ho-tich.khai-sinh-lai",
)
# Flows may switch to these (not mine, loaded read-only so switches can be checked).
NEIGHBOURS = ("ho-tich.khai-sinh",)
# National procedure codes as NQ 66.7/2025/NQ-CP lists them (domain-facts §2, tagged V(S1)).
CODES = {
    "ho-tich.ket-hon": "1.000894",
    "ho-tich.lien-thong-khai-sinh": "2.000986",
    "ho-tich.khai-tu": "1.000656",
    "ho-tich.xac-nhan-tinh-trang-hon-nhan": "1.004873",
    "ho-tich.trich-luc": "2.000635",
    "ho-tich.thay-doi-cai-chinh": "1.004859",
    "ho-tich.nhan-cha-me-con": "1.001022",
    "ho-tich.giam-ho": "1.004837",
    "ho-tich.khai-sinh-lai": "1.004884",
}
VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def snapshot() -> ContentSnapshot:
    """My entries and flows (plus khai sinh) validated together, independent of others' half-edited files."""
    return area_snapshot((*MINE, *NEIGHBOURS))


def matching(snapshot: ContentSnapshot, pid: str, **answers: str) -> list[Walk]:
    """Review paths whose answers include ``answers`` (at least one must exist)."""
    hits = [
        p for p in walk(snapshot.flows[pid])
        if p.outcome == "review" and all(p.answers.get(k) == v for k, v in answers.items())
    ]
    assert hits, f"{pid}: no path reaches the review with {answers}"
    return hits


def listed_on_every(snapshot: ContentSnapshot, pid: str, doc: str, **answers: str) -> bool:
    return all(doc in p.docs for p in matching(snapshot, pid, **answers))


def listed_on_none(snapshot: ContentSnapshot, pid: str, doc: str, **answers: str) -> bool:
    return all(doc not in p.docs for p in matching(snapshot, pid, **answers))


def _may_skip(field_id: str, answers: dict[str, str]) -> bool:
    """A required field is left out only when its value is already known: the requester is that
    person (their own name is not asked twice), or there is no father to record."""
    requester_is_person = (
        answers.get("for_whom") == "self"
        or answers.get("who") in {"parent", "child"}
        or answers.get("requester_is_guardian") == "yes"
    )
    if requester_is_person and field_id.startswith(("requester_relation", "person_", "guardian_", "claimant_")):
        return True
    return answers.get("parents_married") == "no" and field_id.startswith(("father_", "marriage_"))


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


@pytest.mark.parametrize("pid", MINE)
def test_answers_change_the_checklist_and_none_is_empty(snapshot: ContentSnapshot, pid: str) -> None:
    reviews = [p for p in walk(snapshot.flows[pid]) if p.outcome == "review"]
    assert len({tuple(p.docs) for p in reviews}) >= 2, "no eligibility answer changes the document list"
    proc = snapshot.procedures[pid]
    for p in reviews:
        assert p.docs, f"empty checklist with {p.answers}"
        assert len(p.docs) == len(set(p.docs)), f"a document is listed twice with {p.answers}"
        if proc.form:
            required = [f.id for f in proc.form.fields if f.required]
            assert p.asked, "the form is never asked"
            from_answers = {it.field for st in snapshot.flows[pid].steps if isinstance(st, FieldsStep)
                            for it in st.items if it.prefill_from and p.answers.get(it.prefill_from) in it.prefill_map}
            missing = [f for f in required if f not in p.asked and f not in from_answers]   # answered at a question
            assert all(_may_skip(f, p.answers) for f in missing), f"required fields never asked: {missing} with {p.answers}"


@pytest.mark.parametrize("pid", MINE)
def test_flow_refers_to_existing_items_in_form_order(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    walked = [it.doc for s in flow.steps if isinstance(s, DocumentsStep) for it in s.items]
    asked = list(dict.fromkeys(it.field for s in flow.steps if isinstance(s, FieldsStep) for it in s.items))
    assert all(proc.document(d) for d in walked)
    assert all(proc.form_field(f) for f in asked)
    assert {d.id for d in proc.documents} == set(walked), "a catalog document is never shown"
    assert proc.form is not None, "every hộ tịch procedure here has a tờ khai"
    order = [f.id for f in proc.form.fields]
    assert set(order) == set(asked), "every form field is asked somewhere"
    assert asked == [f for f in order if f in asked], "fields are asked in the order printed on the form"
    kinds = [type(s).__name__ for s in flow.steps]
    assert kinds.index("DocumentsStep") < kinds.index("FieldsStep") < kinds.index("ReviewStep")
    questions = [s for s in flow.steps if isinstance(s, QuestionStep)]
    assert 2 <= len(questions) <= 8


@pytest.mark.parametrize("pid", MINE)
def test_facts_name_sources_or_are_flagged(snapshot: ContentSnapshot, pid: str) -> None:
    proc = snapshot.procedures[pid]
    assert proc.last_reviewed == TODAY
    assert proc.sources, "the entry names its sources"
    assert proc.national_code is not None and proc.national_code.text == CODES[pid]
    assert proc.national_code.sources == ("S1",)
    facts = [proc.authority, proc.time_limit, proc.dossier_sets, proc.result, *proc.legal_basis]
    if proc.submission:
        facts += [proc.submission.where] + ([proc.submission.online_note] if proc.submission.online_note else [])
    flagged = [f for f in facts if f is not None and not f.verified]
    flagged += [d for d in proc.documents if not d.verified]
    flagged += [c for c in proc.changes if not c.verified]
    if proc.fee and not proc.fee.verified:
        flagged.append(proc.fee)
    if proc.form and not proc.form.verified:
        flagged.append(proc.form)
    if flagged:
        assert proc.verified is False, "an entry relying on memory must say verified: false"
    known = {s.id for s in proc.sources}
    for d in proc.documents:
        assert set(d.sources) <= known
        assert d.explain and VIETNAMESE.search(d.explain) and d.how_to_get


@pytest.mark.parametrize("pid", MINE)
def test_citizen_text_is_vietnamese_and_names_are_many(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    assert 8 <= len(proc.colloquial_names) <= 15
    assert len(set(proc.colloquial_names)) == len(proc.colloquial_names)
    assert sum(bool(VIETNAMESE.search(n)) for n in proc.colloquial_names) >= len(proc.colloquial_names) - 2
    texts = [proc.name, proc.official_name, proc.summary or ""]
    for s in flow.steps:
        if isinstance(s, QuestionStep):
            texts.append(s.ask)
            texts += [said(o.say) for o in s.options if o.say]
        elif isinstance(s, (MessageStep, HandoffStep)):
            texts.append(s.say)
    if proc.form:
        texts += [f.ask or f.label for f in proc.form.fields]
    for t in texts:
        assert VIETNAMESE.search(t), f"text without diacritics: {t!r}"


@pytest.mark.parametrize("pid", MINE)
def test_fee_exemption_with_vneid_is_asked_where_it_applies(snapshot: ContentSnapshot, pid: str) -> None:
    proc, flow = snapshot.procedures[pid], snapshot.flows[pid]
    vneid = [s for s in flow.steps if isinstance(s, QuestionStep) and "vneid" in s.id]
    if proc.fee and proc.fee.vneid_exemption:
        assert vneid, "the fee has a VNeID exemption but the flow never asks about VNeID"
        yes = [o for o in vneid[0].options if o.value == "yes"]
        assert yes and "66.22/2026" in said(yes[0].say), "answering yes must tell the exemption"
        window = [c for c in proc.changes if "66.22/2026" in c.resolution]
        assert window and window[0].valid_from == dt.date(2026, 8, 15) and window[0].valid_to == dt.date(2027, 2, 28)
        assert window[0] in proc.active_changes(TODAY)
    else:
        # Free procedures (kết hôn, giám hộ) or VNeID needed to file at all (liên thông): no exemption talk.
        for s in vneid:
            assert all("66.22" not in (o.say or "") for o in s.options)


@pytest.mark.parametrize("pid", [p for p in MINE if p != "ho-tich.trich-luc"])
def test_foreign_element_goes_to_a_person(snapshot: ContentSnapshot, pid: str) -> None:
    first_two = [s for s in snapshot.flows[pid].steps if isinstance(s, QuestionStep)][:3]
    foreign = [
        o for s in first_two for o in s.options
        if o.handoff and re.search(r"nước ngoài", (o.label + " " + (o.say or "")), re.IGNORECASE)
    ]
    assert foreign, "a foreign-element case must be handed to a person early"
    assert all(o.say for o in foreign), "the hand-off explains why"


# --- where the law gives different papers -------------------------------------------------------

def test_ket_hon_divorce_abroad_needs_the_recording_extract(snapshot: ContentSnapshot) -> None:
    pid, doc = "ho-tich.ket-hon", "trich-luc-ghi-chu-ly-hon"
    assert listed_on_every(snapshot, pid, doc, marital_history="divorced", divorce_place="abroad")
    assert listed_on_none(snapshot, pid, doc, marital_history="divorced", divorce_place="vn")
    assert listed_on_none(snapshot, pid, doc, marital_history="never")
    assert listed_on_every(snapshot, pid, "giay-to-cham-dut-hon-nhan", marital_history="widowed")
    assert listed_on_none(snapshot, pid, "giay-to-cham-dut-hon-nhan", marital_history="never")
    # No single-status certificate is asked for a marriage in Vietnam (NĐ 07/2025).
    assert not any("xac-nhan-tinh-trang" in d.id for d in snapshot.procedures[pid].documents)
    outcomes = {p.answers.get("currently_married"): p.outcome for p in walk(snapshot.flows[pid])
                if "currently_married" in p.answers and "marital_history" not in p.answers}
    assert outcomes == {"yes": "handoff"}, "someone still married is not walked to a marriage form"


def test_khai_tu_death_notice_or_its_substitute(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.khai-tu"
    expected = {"hospital": "giay-bao-tu", "home": "giay-bao-tu-ubnd-xa",
                "accident": "van-ban-xac-nhan-cong-an", "court": "ban-an-tuyen-bo-chet"}
    for answer, doc in expected.items():
        assert listed_on_every(snapshot, pid, doc, death_notice=answer)
        for other in set(expected.values()) - {doc}:
            assert listed_on_none(snapshot, pid, other, death_notice=answer)
    # Only a late registration pays, so only then is the VNeID exemption asked.
    assert all("vneid_level2" not in p.answers for p in matching(snapshot, pid, within_15_days="yes"))
    assert all("vneid_level2" in p.answers for p in matching(snapshot, pid, within_15_days="no"))


def test_lien_thong_birth_certificate_and_residence_branches(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.lien-thong-khai-sinh"
    assert listed_on_every(snapshot, pid, "giay-chung-sinh-dien-tu", birth_cert="electronic")
    assert listed_on_none(snapshot, pid, "giay-chung-sinh", birth_cert="electronic")
    assert listed_on_every(snapshot, pid, "giay-chung-sinh", birth_cert="paper")
    assert listed_on_every(snapshot, pid, "van-ban-lam-chung", birth_cert="none", has_witness="yes")
    assert listed_on_every(snapshot, pid, "giay-cam-doan-viec-sinh", birth_cert="none", has_witness="no")
    assert listed_on_every(snapshot, pid, "giay-to-cu-tru", same_residence="no")
    assert listed_on_none(snapshot, pid, "giay-to-cu-tru", same_residence="yes")
    assert all("marriage_date" in p.asked for p in matching(snapshot, pid, parents_married="yes"))
    assert all("father_name" not in p.asked for p in matching(snapshot, pid, parents_married="no"))
    # Online only: without VNeID the citizen is sent to ordinary birth registration.
    step = next(s for s in snapshot.flows[pid].steps if s.id == "has_vneid")
    assert next(o for o in step.options if o.value == "no").switch_to == "ho-tich.khai-sinh"
    assert snapshot.procedures[pid].submission.channels == ("online",)


def test_xntthn_papers_follow_status_and_reissue(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.xac-nhan-tinh-trang-hon-nhan"
    assert listed_on_every(snapshot, pid, "giay-to-ly-hon", marital_status_now="divorced")
    assert listed_on_none(snapshot, pid, "giay-to-ly-hon", marital_status_now="single")
    assert listed_on_every(snapshot, pid, "giay-to-vo-chong-chet", marital_status_now="widowed")
    assert listed_on_every(snapshot, pid, "giay-xntthn-cu", reissue="yes")
    assert listed_on_none(snapshot, pid, "giay-xntthn-cu", reissue="no")
    step = next(s for s in snapshot.flows[pid].steps if s.id == "purpose")
    assert next(o for o in step.options if o.value == "marry_vn").switch_to == "ho-tich.ket-hon"
    assert "06 tháng" in snapshot.procedures[pid].result.text


def test_trich_luc_proxy_and_relative(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.trich-luc"
    assert listed_on_every(snapshot, pid, "van-ban-uy-quyen", for_whom="proxy")
    assert listed_on_none(snapshot, pid, "van-ban-uy-quyen", for_whom="self")
    assert listed_on_every(snapshot, pid, "giay-to-chung-minh-quan-he", for_whom="relative")
    assert "8.000" in snapshot.procedures[pid].fee.text
    assert all("person_name" not in p.asked for p in matching(snapshot, pid, for_whom="self"))
    assert all("person_name" in p.asked for p in matching(snapshot, pid, for_whom="proxy"))


def test_thay_doi_consent_and_original_paper(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.thay-doi-cai-chinh"
    assert listed_on_every(snapshot, pid, "van-ban-dong-y", what_kind="thay_doi", person_age="9to18")
    assert listed_on_none(snapshot, pid, "van-ban-dong-y", what_kind="thay_doi", person_age="under9")
    assert listed_on_none(snapshot, pid, "van-ban-dong-y", what_kind="cai_chinh")
    assert listed_on_every(snapshot, pid, "ban-chinh-giay-khai-sinh", which_paper="birth")
    assert listed_on_every(snapshot, pid, "ban-chinh-gcnkh", which_paper="marriage")
    assert listed_on_none(snapshot, pid, "ban-chinh-gcnkh", which_paper="birth")
    gender = [p for p in walk(snapshot.flows[pid]) if p.answers.get("what_kind") == "gioi_tinh"]
    assert gender and all(p.outcome == "handoff" for p in gender)


def test_nhan_cha_me_con_evidence(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.nhan-cha-me-con"
    assert listed_on_every(snapshot, pid, "van-ban-giam-dinh-adn", has_dna="yes")
    assert listed_on_none(snapshot, pid, "chung-cu-khac", has_dna="yes")
    assert listed_on_every(snapshot, pid, "chung-cu-khac", has_dna="no")
    assert listed_on_every(snapshot, pid, "van-ban-cam-doan-lam-chung", has_dna="no")
    assert listed_on_every(snapshot, pid, "van-ban-dong-y-cua-con", who="parent", child_adult="yes")
    assert listed_on_none(snapshot, pid, "van-ban-dong-y-cua-con", child_adult="no")
    paths = walk(snapshot.flows[pid])
    assert all(p.outcome == "handoff" for p in paths if p.answers.get("no_dispute") == "dispute")
    assert all(p.outcome == "switch:ho-tich.khai-sinh" for p in paths if p.answers.get("child_has_birth_cert") == "no")


def test_giam_ho_natural_or_appointed(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.giam-ho"
    assert listed_on_every(snapshot, pid, "van-ban-cu-giam-ho", guardian_type="appointed")
    assert listed_on_none(snapshot, pid, "giay-to-giam-ho-duong-nhien", guardian_type="appointed")
    assert listed_on_every(snapshot, pid, "giay-to-giam-ho-duong-nhien", guardian_type="natural")
    assert listed_on_every(snapshot, pid, "van-ban-thoa-thuan", guardian_type="natural", many_eligible="yes")
    assert listed_on_none(snapshot, pid, "van-ban-thoa-thuan", guardian_type="natural", many_eligible="no")
    assert listed_on_none(snapshot, pid, "van-ban-thoa-thuan", guardian_type="appointed")
    assert "Miễn" in snapshot.procedures[pid].fee.text


def test_khai_sinh_lai_copy_or_other_papers(snapshot: ContentSnapshot) -> None:
    pid = "ho-tich.khai-sinh-lai"
    assert listed_on_every(snapshot, pid, "ban-sao-giay-khai-sinh", has_copy="yes")
    assert listed_on_none(snapshot, pid, "van-ban-cam-doan", has_copy="yes")
    assert listed_on_every(snapshot, pid, "giay-to-lien-quan", has_copy="no")
    assert listed_on_every(snapshot, pid, "van-ban-cam-doan", has_copy="no")
    assert listed_on_every(snapshot, pid, "van-ban-xac-nhan-co-quan", is_official="yes")
    assert listed_on_none(snapshot, pid, "van-ban-xac-nhan-co-quan", is_official="no")
    # The register still exists → a copy of the extract is enough.
    step = next(s for s in snapshot.flows[pid].steps if s.id == "register_book")
    assert next(o for o in step.options if o.value == "kept").switch_to == "ho-tich.trich-luc"
    assert snapshot.procedures[pid].verified is False


def test_fee_rules_match_the_civil_status_law(snapshot: ContentSnapshot) -> None:
    """Luật Hộ tịch Điều 11: marriage and guardianship free; on-time death registration free."""
    free = {"ho-tich.ket-hon", "ho-tich.giam-ho"}
    for pid in free:
        assert snapshot.procedures[pid].fee.text.startswith("Miễn")
        assert not snapshot.procedures[pid].fee.vneid_exemption
    assert "15 ngày" in snapshot.procedures["ho-tich.khai-tu"].fee.text
    for pid in ("ho-tich.xac-nhan-tinh-trang-hon-nhan", "ho-tich.thay-doi-cai-chinh", "ho-tich.nhan-cha-me-con"):
        assert "HĐND" in snapshot.procedures[pid].fee.text


def test_no_name_points_at_two_civil_status_procedures(snapshot: ContentSnapshot) -> None:
    """The NLU retrieves on names: one phrase naming two procedures would make them tie."""
    owner: dict[str, str] = {}
    for pid in (*MINE, *NEIGHBOURS):
        proc = snapshot.procedures[pid]
        for name in {n.lower().strip() for n in (proc.name, proc.official_name, *proc.colloquial_names)}:
            assert owner.setdefault(name, pid) == pid, f"'{name}' names both {owner[name]} and {pid}"


# --- the same paths through the real (pure) engine ----------------------------------------------

# One valid answer per field type, as a citizen would type it.
TYPED = {
    "person_name": "Nguyễn Văn An", "date_past": "15/03/2020", "date": "15/03/2020", "year": "1990",
    "id_number": "079203012345", "identity_document": "Căn cước công dân số 079203012345 cấp ngày 01/01/2021",
    "phone": "0912345678", "gender": "Nam", "ethnicity": "Kinh", "nationality": "Việt Nam",
    "address": "thôn 3, xã Ea Kar, tỉnh Đắk Lắk", "number": "2", "text": "Ghi nhầm khi đăng ký",
}


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


def drive(snapshot: ContentSnapshot, pid: str, answers: dict[str, str]) -> tuple[Citizen, list[str]]:
    """Ask for ``pid`` in free text, answer its questions with ``answers``, have every paper, fill the form."""
    proc = snapshot.procedures[pid]
    c = Citizen(snapshot)
    c.say(f"cho tôi hỏi thủ tục {proc.name.lower()}", pid)
    shown: list[str] = []
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
            c.say(f.choices[0] if f.type == "choice" else TYPED[f.type])
        else:
            break
    return c, shown


@pytest.mark.parametrize("pid", MINE)
def test_engine_walks_every_branch_to_the_review_with_the_same_checklist(snapshot: ContentSnapshot, pid: str) -> None:
    for p in walk(snapshot.flows[pid]):
        c, shown = drive(snapshot, pid, p.answers)
        if p.outcome == "review":
            assert c.state.pending is not None and c.state.pending.kind == "review", f"stuck with {p.answers}"
            want = asked_docs(snapshot.procedures[pid], p.docs)
            assert shown == want, f"engine showed {shown}, content says {want} for {p.answers}"
            assert "review_reached" in c.events
        elif p.outcome == "handoff":
            assert "handoff_requested" in c.events, f"no person offered for {p.answers}"
        elif p.outcome == "end":
            assert c.state.phase == "done"
        else:
            assert c.state.procedure_id == p.outcome.split(":", 1)[1]


@pytest.mark.parametrize("pid", MINE)
def test_review_labels_are_unambiguous(snapshot: ContentSnapshot, pid: str) -> None:
    """The review lists "label: value"; two fields with one label (bride's and groom's name) would be unreadable."""
    labels = [f.label for f in snapshot.procedures[pid].form.fields]
    assert len(labels) == len(set(labels)), sorted({x for x in labels if labels.count(x) > 1})
