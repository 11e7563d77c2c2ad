"""Two workers that train from the same inputs must serve the same model (issue 18)."""
from __future__ import annotations

import numpy as np

from nlu.builtin import BuiltinParser

MESSAGES = ("tôi muốn làm giấy khai sinh cho con", "xoa het du lieu cua toi di", "tạmm biệtt",
            "Nhà tôi bị lũ cuốn mất giấy kết hôn. Tôi cần xin lại một bản sao.", "cho e gặp cb tư pháp vs")


def test_two_trainings_give_identical_probabilities(spec_ts, parser) -> None:  # type: ignore[no-untyped-def]
    again = BuiltinParser.train(spec_ts)
    np.random.seed(12345)   # a global numpy state changed between trainings must not matter
    third = BuiltinParser.train(spec_ts)
    for text in MESSAGES:
        p = parser.probabilities(text)
        assert np.array_equal(p, again.probabilities(text))
        assert np.array_equal(p, third.probabilities(text))
