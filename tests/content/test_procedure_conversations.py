"""Conversations through the real engine and the built-in NLU: a citizen's own words find the procedure, and
free text, tapped answers and typed values reach the review and a draft. Scripts per procedure are data."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.content.flow import FieldsStep, QuestionStep, applies
from bot.content.snapshot import ContentSnapshot
from tests.content.flowwalk import asked_docs
from tests.content.test_procedure_paths import IDS, paths, shipped
from tests.fakes.walker import VALUES, switch_button

DEV = Path("/work/shared/spec/nlu-dev.jsonl")
# Procedures whose citizen sentences in the NLU dev set must find them (the set covers these areas).
DEV_CHECKED = ("chung-thuc.ban-sao", "chung-thuc.chu-ky", "chung-thuc.hop-dong", "dat-dai.cap-gcn-lan-dau",
               "dat-dai.chuyen-muc-dich", "dat-dai.bien-dong", "xay-dung.giay-phep-nha-o")
TYPED = {  # what a citizen would type for each field type (free text: see ``_typed``)
    **{k: v for k, v in VALUES.items() if k != "text"},
    "person_name": "Nguyễn Văn An", "id_number": "001090123456", "phone": "0912345678", "year": "1980",
    "number": "120", "address": "Thôn Đông, xã Tân Phú, tỉnh Đồng Nai", "date_past": "15/3/2020",
}

SCRIPTS: dict[str, tuple[str, list[str], set[str], set[str]]] = {
    # pid: (first message, replies in order, documents expected in the draft, documents that must not be there)
    "kinh-doanh.ho-kinh-doanh": (
        "Tui bán xôi ở đầu hẻm mấy năm rồi, giờ muốn mướn mặt bằng mở tiệm đàng hoàng, có cần đăng ký kinh doanh hông?",
        ["Có điều khác", "Đã đủ 18 tuổi", "Không", "Cả gia đình cùng đăng ký", "Chủ hộ tự đi nộp", "Nộp trực tuyến",
         "Chưa có",  # the giấy đề nghị is the draft itself: not asked; no family-meeting minutes (NĐ 168/2025 Đ99)
         "Hộ kinh doanh Xôi Bà Tư", "Số 3 hẻm 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh", "bỏ qua",
         "bỏ qua", "bán xôi, bánh mì", "30.000.000", "2", "Trần Thị Tư", "12/5/1970", "nữ", "Kinh", "Việt Nam",
         "079170123456", "Số 3 hẻm 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
         "Số 3 hẻm 12 đường Lê Lợi, phường Bến Thành, Thành phố Hồ Chí Minh",
         "Nguyễn Văn Năm, 01/01/1968, 079068123456", "1/12/2026", "bỏ qua"],
        {"giay-de-nghi", "van-ban-uy-quyen-chu-ho"},
        {"giay-to-phap-ly-ca-nhan", "giay-to-uy-quyen-nop-ho-so", "bien-ban-hop-gia-dinh"},
    ),
    "cong-thuong.ban-le-ruou": (
        "tiem tap hoa muon ban ruou chai thi xin giay phep ban le ruou o dau, ho so gom nhung gi",
        ["Xem hướng dẫn tham khảo", "Cán bộ bảo vẫn phải xin", "Có điều khác", "Đã đăng ký", "Rượu từ 5,5 độ trở lên",
         "Hộ kinh doanh", "Thuê hoặc mượn", "Có", "Có", "Chưa có",
         "Hộ kinh doanh Tạp hóa Minh Anh", "Số 8 thôn Đông, xã Hòa An, tỉnh Cao Bằng", "0912345678", "41A8012345",
         "bỏ qua", "Số 8 thôn Đông, xã Hòa An, tỉnh Cao Bằng", "1", "Công ty TNHH Rượu Việt"],
        {"don-de-nghi", "giay-dang-ky-kinh-doanh", "hop-dong-thue-dia-diem", "van-ban-gioi-thieu-nha-cung-cap"},
        {"giay-to-quyen-su-dung-dia-diem"},
    ),
    "cong-thuong.ban-le-thuoc-la": (
        "Tui có cái quầy nhỏ ngoài chợ, muốn bán thêm thuốc lá gói thì phải xin phép chỗ mô, có lâu không?",
        ["Thuốc lá điếu, thuốc lá gói", "Đúng cả",  # registered, > 100 m, household, own premises: one tap
         "Có", "Có", "Có",
         "Hộ kinh doanh Tạp hóa Bình An", "Số 2 đường Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa", "0912345678",
         "26B8000123", "3/4/2024", "Số 2 đường Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa", "Công ty Thuốc lá Thăng Long"],
        {"don-de-nghi", "giay-dang-ky-kinh-doanh", "van-ban-gioi-thieu-nha-cung-cap", "giay-to-quyen-su-dung-dia-diem"},
        {"hop-dong-thue-dia-diem"},
    ),
    "cong-thuong.san-xuat-ruou-thu-cong": (
        "Nhà tôi nấu rượu nếp theo cách truyền thống, giờ muốn đóng chai dán nhãn đem bán thì có phải xin phép gì không?",
        ["Xem hướng dẫn tham khảo", "Chỉ xem để tham khảo", "Đóng chai, bán lẻ, bán cho quán", "Có điều khác",
         "Đã đăng ký", "Chưa có",
         "Có", "Chưa có", "Có",
         "Hộ kinh doanh Rượu nếp Làng Vân", "Thôn Vân, xã Vân Hà, tỉnh Bắc Ninh", "0987654321", "20A8001234",
         "Thôn Vân, xã Vân Hà, tỉnh Bắc Ninh", "rượu nếp", "2000"],
        {"don-de-nghi", "giay-dang-ky-kinh-doanh", "ban-cam-ket-attp", "nhan-hang-hoa"},
        {"giay-chung-nhan-attp"},
    ),
    "can-cuoc.cap-doi-lai": (
        "Xin hỏi trẻ em dưới 14 tuổi có được cấp thẻ căn cước không và thủ tục thực hiện như thế nào ạ?",
        ["Làm thẻ lần đầu", "Dưới 6 tuổi", "Không biết", "Có, VNeID mức 2",
         "Có", "Có", "Có",
         "Lê Minh Khôi", "2/9/2023", "nam", "001223012345", "Số 10 phố Huế, phường Hai Bà Trưng, Thành phố Hà Nội",
         "Lê Văn Hùng", "001090123456", "Nhận qua bưu điện", "0912345678"],  # request type prefilled
        {"phieu-de-nghi-dc02", "phieu-thu-thap-dc01", "giay-to-phap-ly", "giay-to-nguoi-dai-dien"},
        {"the-cu"},
    ),
}


@pytest.fixture(scope="module")
def snapshot() -> ContentSnapshot:
    return shipped()


@pytest.fixture(scope="module")
def parser(snapshot: ContentSnapshot) -> Any:
    """The built-in NLU trained on the whole shipped content: it must pick each procedure among all of them."""
    from bot.content.knowledge import knowledge_items, labels
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    return BuiltinParser.train(default_training_set(knowledge_items(snapshot), labels(snapshot)))


def _dev_examples() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["text"], r["label"]) for r in rows]


@pytest.mark.parametrize("pid", DEV_CHECKED)
def test_citizens_own_words_find_the_procedure(parser: Any, pid: str) -> None:
    examples = [t for t, label in _dev_examples() if label == pid]
    assert examples, f"the NLU dev set ({DEV}) has no citizen sentence for {pid}"
    top = [parser.parse(t).ranking[0].label for t in examples]
    assert sum(t == pid for t in top) >= len(examples) - 1, list(zip(examples, top))


@pytest.mark.parametrize("pick", ["first", "last"])
@pytest.mark.parametrize("pid", IDS)
def test_walk_from_free_text_to_the_review(snapshot: ContentSnapshot, parser: Any, pid: str, pick: str) -> None:
    """Type a request, tap answers by their labels, go through every document and field, confirm the review."""
    from tests.unit.engine.helpers import Chat

    text = next((t for t, label in _dev_examples() if label == pid), None) or snapshot.procedures[pid].colloquial_names[0]
    chat = Chat(snapshot)
    chat.say("/start")
    chat.say(text, parser.parse(text))
    assert chat.state.procedure_id == pid, chat.text
    flow, proc = snapshot.flows[pid], snapshot.procedures[pid]
    docs_walked: list[str] = []
    for _ in range(300):
        p = chat.state.pending
        assert p is not None and chat.state.phase != "done", f"conversation stopped early: {chat.text}"
        if p.kind == "question":
            step = next(s for s in flow.steps if s.id == p.ref)
            assert isinstance(step, QuestionStep)
            opts = [o for o in step.options if not (o.handoff or o.switch_to or o.end)]
            opt = opts[0] if pick == "first" else opts[-1]
            chat.say(opt.label)
            assert chat.state.answer_map.get(step.id) == opt.value, chat.text
        elif p.kind == "document":
            chat.say("Có" if pick == "first" else "Chưa có")
            docs_walked.append(p.ref or "")
        elif p.kind == "status_warning":
            chat.say("/thamkhao")                      # read the guidance as reference (status_note shown)
        elif p.kind == "field" and (doi := switch_button({"buttons": [{"payload": b.payload} for b in p.buttons]})):
            chat.say(doi)   # the date contradicts an earlier answer (flow checks): keep it, change the answer
        elif p.kind == "field":
            f = proc.form_field(p.ref or "")
            assert f is not None
            value = f.choices[0] if f.type == "choice" else TYPED.get(f.type) or (
                "12" if f.max_length <= 40 else "Văn phòng đăng ký đất đai")
            chat.say(value)
            assert "field_rejected" not in chat.events, f"{f.id}: {chat.text}"
        elif p.kind == "review":
            break
        else:
            pytest.fail(f"unexpected pending {p.kind}: {chat.text}")
    else:
        pytest.fail("the flow never reached the review")
    answers, filled = chat.state.answer_map, chat.state.field_map
    path = next(w for w in paths(pid) if w.outcome == "review" and w.answers.items() <= answers.items())
    assert docs_walked == asked_docs(proc, path.docs), "the checklist walked is not the path's"
    for s in flow.steps:
        for it in s.items if isinstance(s, FieldsStep) else ():
            if it.prefill_from and applies(it, answers):  # taken from an earlier answer, never asked twice
                value = answers[it.prefill_from]
                if it.prefill_map and value not in it.prefill_map:
                    continue   # a map fills only the answers it names; for the others the field was asked
                assert filled[it.field] == (it.prefill_map.get(value) or flow.option_label(it.prefill_from, value))
    # "Chưa có" on every document: each one (but the optional ones) is remembered as missing for the to-do list
    needed = [d for d in docs_walked if not proc.document(d).optional]  # type: ignore[union-attr]
    assert len(chat.state.docs_missing) == (len(needed) if pick == "last" else 0)
    chat.say("/xacnhan")
    assert "draft_requested" in chat.events, chat.text


@pytest.mark.parametrize("pid", sorted(SCRIPTS))
def test_citizen_free_text_reaches_review_and_draft_through_the_engine(
    snapshot: ContentSnapshot, parser: Any, pid: str
) -> None:
    from tests.unit.engine.helpers import Chat

    first, replies, expected, excluded = SCRIPTS[pid]
    understanding = parser.parse(first)
    assert understanding.ranking[0].label == pid, understanding.ranking[:3]
    chat = Chat(snapshot)
    chat.say("/start")
    chat.say(first, understanding)
    assert chat.event("procedure_identified")["procedure_id"] == pid
    for reply in replies:
        chat.say(reply)
        assert "field_rejected" not in chat.events, f"{pid}: {reply!r} rejected: {chat.text}"
        assert "handoff_requested" not in chat.events, f"{pid}: {reply!r} handed off: {chat.text}"
    assert chat.state.pending is not None and chat.state.pending.kind == "review", chat.text
    chat.say("/xacnhan")
    draft = chat.event("draft_requested")
    docs = set(draft["applicable_docs"])
    assert expected <= docs and not excluded & docs, docs
    proc = snapshot.procedure(pid)
    assert proc is not None and proc.form is not None
    required = {f.id for f in proc.form.fields if f.required}
    asked = {f for p in paths(pid) if p.answers.items() <= chat.state.answer_map.items() for f in p.fields}
    assert (required & asked) <= set(draft["fields"]), required & asked - set(draft["fields"])
