"""Deleting one's data however it is phrased (issue 16 item 11): fresh phrasings, none of them in nlu/data, go
through the trained NLU and the engine as the turn runner sends them and always reach the deletion confirmation —
at the start and in the middle of a flow —, never a restart ("Đã hủy…") or a procedure. Nothing is deleted before
"Xóa dữ liệu" is tapped."""
from __future__ import annotations

import pytest

from tests.unit.engine.helpers import KHAI_SINH
from tests.unit.engine.test_commands_nlu import Understood

FRESH = [
    "xin hãy xóa toàn bộ dữ liệu mà tôi đã cung cấp",
    "tôi muốn xóa tất cả dữ liệu cá nhân của tôi",
    "bạn xóa giúp tôi mọi thông tin tôi đã gửi nhé",
    "làm ơn gỡ hết thông tin cá nhân của tôi ra khỏi hệ thống",
    "xoá sạch mọi dữ liệu về tôi",
    "tôi không muốn lưu thông tin nữa, hãy xóa đi",
    "xoa tat ca du lieu cua toi",
    "xoá giùm e toàn bộ data cá nhân",
    "hủy hết dữ liệu của tôi đi",
    "xoá all dữ liệu của mình",
    "đề nghị xóa dữ liệu cá nhân của tôi theo nghị định 13",
    "toi muon xoa het thong tin ca nhan da gui cho bot",
    "nhờ bạn xóa bỏ hết các thông tin của tôi trong hệ thống này",
    "mình muốn gỡ bỏ toàn bộ dữ liệu đã nhập",
    "ko muốn lưu nữa, del hết data của e nha",
    "loại bỏ dữ liệu của tôi khỏi hệ thống",
    "chị ơi xoá hết thông tin của em đã gửi lên giùm em với ạ",
]
# Longer requests naming what was sent: once taken for a procedure (căn cước, cải chính hộ tịch).
LONG = [
    "tôi yêu cầu xóa bỏ thông tin cá nhân mà tôi đã nhập vào đây trước đó, gồm cả số căn cước và số điện thoại",
    "xin vui lòng xóa hết những thông tin cá nhân như họ tên, ngày sinh, địa chỉ mà tôi đã gửi cho bên bạn",
    "tôi đổi ý rồi, hãy xóa mọi thông tin tôi đã cung cấp cho bạn, kể cả số căn cước và địa chỉ nhà",
]


def _asked_to_delete(chat: Understood) -> None:
    assert chat.state.pending is not None and chat.state.pending.kind == "confirm_delete", chat.text
    assert "Bạn muốn xóa toàn bộ dữ liệu của mình" in chat.text
    assert chat.buttons == ["Xóa dữ liệu", "Không xóa"]
    assert "restarted" not in chat.events and "data_deletion_requested" not in chat.events
    assert "clarification_asked" not in chat.events and "procedure_identified" not in chat.events


@pytest.mark.parametrize("text", FRESH + LONG)
def test_a_deletion_request_in_fresh_words_reaches_the_confirmation(real: Understood, text: str) -> None:
    real.say(text)
    _asked_to_delete(real)
    real.say("/xoadulieu_xacnhan")
    assert "data_deletion_requested" in real.events


@pytest.mark.parametrize("text", FRESH[3:6] + LONG)
def test_mid_flow_the_request_asks_and_no_keeps_every_answer(real: Understood, text: str) -> None:
    real.say("khai sinh", KHAI_SINH)
    real.say("Có")
    before = real.state
    real.say(text)
    _asked_to_delete(real)
    assert real.state.answers == before.answers
    real.say("Không xóa")
    assert real.state.pending == before.pending and real.state.answers == before.answers
    assert "data_deletion_requested" not in real.events


@pytest.mark.parametrize("text", ["tôi muốn xóa đăng ký thường trú cho bố đã mất", "xóa đăng ký tạm trú cho con",
                                  "bản chính bị tẩy xóa thì chứng thực được không"])
def test_a_procedure_about_deleting_a_registration_is_not_a_data_deletion(real: Understood, text: str) -> None:
    real.say(text)
    assert real.state.pending is None or real.state.pending.kind != "confirm_delete"


@pytest.mark.parametrize("text", ["xóa hết thông tin sai để sửa lại", "xoa het thong tin de khai lai tu dau",
                                  "mình nhập nhầm rồi, xóa hết đi để nhập lại"])
def test_erasing_answers_to_give_them_again_asks_to_restart_not_to_delete_data(real: Understood, text: str) -> None:
    """'Xóa hết thông tin sai để sửa lại' wants the answers cleared, not the citizen's data erased: the restart
    question (which keeps every answer until confirmed), never the deletion question."""
    real.say("khai sinh", KHAI_SINH)
    real.say("Có")
    before = real.state
    real.say(text)
    assert real.state.pending is not None and real.state.pending.kind != "confirm_delete", real.text
    assert "Bạn muốn xóa toàn bộ dữ liệu của mình" not in real.text
    assert "Xóa các câu bạn đã trả lời và làm lại" in real.text, real.text
    assert real.state.answers == before.answers and "data_deletion_requested" not in real.events
