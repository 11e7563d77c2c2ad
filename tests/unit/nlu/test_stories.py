"""Long messages: the sentence that asks outweighs the events told before it."""
from __future__ import annotations

from nlu.stories import frames_and_situations, learn_need_cues, request_sentence, sentences
from nlu.training import _templates, shipped_examples


def _cues() -> dict[str, float]:
    return learn_need_cues(*frames_and_situations(_templates(), [e.text for e in shipped_examples()]))


def test_sentences_split_at_stops_and_keep_short_fragments_with_a_neighbour() -> None:
    assert sentences("Bố tôi mất rồi. Giờ làm sao? Dạ.") == ["Bố tôi mất rồi.", "Giờ làm sao? Dạ."]
    assert sentences("một câu thôi") == ["một câu thôi"]


def test_need_cues_are_learned_from_request_frames_not_from_situations() -> None:
    cues = _cues()
    assert "lam sao" in cues and "thu tuc" in cues      # request language of the frames
    assert "sinh" not in cues and "chong" not in cues   # situation words never mark a request


def test_the_request_sentence_is_picked_from_a_story() -> None:
    text = ("Hồi trước ông bà tôi ở căn nhà cuối xóm. Năm ngoái bão làm sập mái. "
            "Tôi muốn hỏi thủ tục xin phép xây lại thì làm sao?")
    assert request_sentence(text, _cues()) == "Tôi muốn hỏi thủ tục xin phép xây lại thì làm sao?"
    assert request_sentence("xin hỏi thủ tục khai sinh", _cues()) is None


def test_a_story_about_a_damaged_certificate_asks_for_a_copy(parser) -> None:  # type: ignore[no-untyped-def]
    """The events (a wedding, a flood) must not outvote the need (another copy)."""
    u = parser.parse("Vợ chồng tôi cưới nhau từ năm 2010 và đăng ký ở xã này. Mùa lũ vừa rồi nước vào nhà, "
                     "tờ giấy chứng nhận kết hôn bị nhòe hết. Tôi cần xin cấp lại một bản để làm giấy tờ nhà đất.")
    assert u.label == "ho-tich.trich-luc"
