"""Structured fields point at the exact YAML line of one-line values; block scalars are left to the YAML view."""
from __future__ import annotations

from bot.admin.structured import line_fields

CAT = """id: x
name: Đăng ký khai sinh
documents:
  - id: a
    name: Giấy chứng sinh
    how_to_get: >-
      Xin tại bệnh viện
  - id: b
    name: "Tờ khai: mẫu mới"
"""


def test_one_line_values_map_to_their_lines() -> None:
    got = [(f.label, f.line, f.value) for f in line_fields(CAT, "catalog")]
    assert got == [("Tên thủ tục", 2, "Đăng ký khai sinh"), ("Giấy tờ 1: tên", 5, "Giấy chứng sinh"),
                   ("Giấy tờ 2: tên", 9, "Tờ khai: mẫu mới")]


def test_flow_questions_and_broken_yaml() -> None:
    flow = "procedure: x\nsteps:\n  - id: s1\n    ask: Bé sinh ở Việt Nam phải không?\n"
    assert [(f.line, f.value) for f in line_fields(flow, "flow")] == [(4, "Bé sinh ở Việt Nam phải không?")]
    assert line_fields("a: [", "flow") == []
