"""ask_status from the desk's record (pure engine): status, official number, what to do next; with several
drafts the bot asks which one and reads the code from the next message, typos of case and look-alikes forgiven."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bot.dossier.codes import new_code
from bot.engine import CitizenSaid, ConversationState, InboundMessage, Text, TurnContext, step
from bot.engine.context import DraftSummary
from tests.unit.engine.helpers import u

ASK = u(("ask_status", 0.93))
KS = new_code("ho-tich.khai-sinh", random.Random(7))
KH = new_code("ho-tich.ket-hon", random.Random(8))
WHEN = dt.datetime(2026, 11, 25, 9, 30)


def summary(code: str, name: str, key: str, vi: str, **kw: Any) -> DraftSummary:
    return DraftSummary(code=code, procedure_name=name, status=vi, status_key=key, updated_at=WHEN, **kw)


def say(content: Any, state: ConversationState, text: str, drafts: tuple[DraftSummary, ...],
        understanding: Any = None) -> tuple[ConversationState, str, list[str]]:
    msg = InboundMessage(channel="test", sender_id="u", text=text, payload=text if text.startswith("/") else None)
    turn = step(state, CitizenSaid(msg, understanding), TurnContext(content=content, today=dt.date(2026, 11, 25),
                                                                  drafts=drafts))
    texts = [r.text for r in turn.replies if isinstance(r, Text)]
    buttons = [b.payload for r in turn.replies if isinstance(r, Text) for b in r.buttons]
    return turn.state, "\n".join(texts), buttons


def test_one_draft_answers_with_status_number_and_next_step(content: Any) -> None:
    d = summary(KS, "Đăng ký khai sinh", "result_ready", "đã có kết quả", official_number="000.00.11.H12-261125-0001",
                note="Bộ phận một cửa UBND xã Ea Kar, quầy số 2")
    state, text, _ = say(content, ConversationState(welcomed=True), "hồ sơ của tôi tới đâu rồi", (d,), ASK)
    assert f"Hồ sơ {KS} (Đăng ký khai sinh): đã có kết quả." in text
    assert "000.00.11.H12-261125-0001" in text
    assert "Mời bạn đến nhận kết quả tại Bộ phận một cửa UBND xã Ea Kar, quầy số 2" in text
    assert "25/11/2026" in text
    assert state.pending is None


def test_several_drafts_ask_for_the_code_then_answer_the_one_named(content: Any) -> None:
    drafts = (summary(KS, "Đăng ký khai sinh", "needs_documents", "cần bổ sung giấy tờ",
                      note="Bản sao giấy chứng nhận kết hôn của cha mẹ"),
              summary(KH, "Đăng ký kết hôn", "received", "đã tiếp nhận tại bộ phận một cửa"))
    state, text, buttons = say(content, ConversationState(welcomed=True), "hồ sơ của tôi tới đâu rồi", drafts, ASK)
    assert "mã hồ sơ" in text and set(buttons) == {KS, KH}
    assert state.pending is not None and state.pending.kind == "status_code"
    # A wrong code: said so, still waiting for the right one.
    wrong = KS[:-1] + ("A" if KS[-1] != "A" else "B")
    state2, text, _ = say(content, state, wrong.lower(), drafts)
    assert "không thấy hồ sơ" in text and KS in text and state2.pending.kind == "status_code"
    # Lower case and spaces: the draft named is answered, not the other one.
    typed = f"mã {KS[:2].lower()} {KS[3:].lower()}"
    state3, text, _ = say(content, state2, typed, drafts)
    assert f"Hồ sơ {KS} (Đăng ký khai sinh): cần bổ sung giấy tờ." in text
    assert "Bạn cần bổ sung: Bản sao giấy chứng nhận kết hôn của cha mẹ." in text
    assert KH not in text and state3.pending is None


def test_a_flow_question_is_asked_again_after_the_status(content: Any) -> None:
    from bot.engine.state import Pending

    drafts = (summary(KS, "Đăng ký khai sinh", "draft", "đã lập bản nháp, chờ nộp"),
              summary(KH, "Đăng ký kết hôn", "returned", "đã trả kết quả"))
    flow_q = Pending("document", "giay-chung-sinh")
    start = ConversationState(welcomed=True, phase="flow", procedure_id="ho-tich.khai-sinh", pending=flow_q)
    state, _, _ = say(content, start, "hồ sơ của tôi tới đâu rồi", drafts, ASK)
    assert state.pending.kind == "status_code" and state.resume == flow_q
    state, text, _ = say(content, state, KH, drafts)
    assert "Hồ sơ đã hoàn tất." in text and state.pending == flow_q


def test_no_code_drops_the_question_and_reads_the_message_as_usual(content: Any) -> None:
    drafts = (summary(KS, "Đăng ký khai sinh", "draft", "đã lập bản nháp, chờ nộp"),
              summary(KH, "Đăng ký kết hôn", "received", "đã tiếp nhận tại bộ phận một cửa"))
    state, _, _ = say(content, ConversationState(welcomed=True), "hồ sơ của tôi tới đâu rồi", drafts, ASK)
    state, text, _ = say(content, state, "cảm ơn", drafts, u(("thanks", 0.95)))
    assert state.pending is None and "không thấy hồ sơ" not in text


def test_drafts_list_shows_the_official_number(content: Any) -> None:
    drafts = (summary(KS, "Đăng ký khai sinh", "received", "đã tiếp nhận tại bộ phận một cửa",
                      official_number="HS-2026-0042"),
              summary(KH, "Đăng ký kết hôn", "draft", "đã lập bản nháp, chờ nộp"))
    _, text, _ = say(content, ConversationState(welcomed=True), "/hoso", drafts)
    assert f"Hồ sơ {KS} (Đăng ký khai sinh): đã tiếp nhận tại bộ phận một cửa. Số hồ sơ trên hệ thống của tỉnh: HS-2026-0042." in text
    assert f"Hồ sơ {KH} (Đăng ký kết hôn): đã lập bản nháp, chờ nộp." in text
