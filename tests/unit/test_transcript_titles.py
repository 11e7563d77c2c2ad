"""Issue 16 item 12: the transcript keeps what the citizen saw on the button, not its payload."""
from __future__ import annotations

from bot.engine import ConversationState, InboundMessage
from bot.engine.messages import Button
from bot.engine.state import Pending
from bot.runtime.turns import shown_text


def _msg(text: str) -> InboundMessage:
    return InboundMessage(channel="web", sender_id="u", text=text, payload=text if text.startswith("/") else None)


def test_a_tapped_button_is_stored_as_its_title() -> None:
    state = ConversationState(pending=Pending("question", "born_in_vn", (
        Button("Có", "/tl born_in_vn yes"), Button("Không, sinh ở nước ngoài", "/tl born_in_vn no"))))
    assert shown_text(state, _msg("/tl born_in_vn no")) == "Không, sinh ở nước ngoài"


def test_page_buttons_and_typed_text_read_as_seen() -> None:
    state = ConversationState()
    assert shown_text(state, _msg("/canbo")) == "Gặp cán bộ"
    assert shown_text(state, _msg("/start")) == "Bắt đầu"
    assert shown_text(state, _msg("tôi muốn làm khai sinh")) == "tôi muốn làm khai sinh"
    assert shown_text(state, _msg("/nhan KS-7F3K2Q")) == "/nhan KS-7F3K2Q"   # typed by the citizen: kept
