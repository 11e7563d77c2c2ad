"""Issue 19 item 10: what an admin reads of a content error (the editor and `motcua validate` share it)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.admin.versions import check, folder_files
from bot.content.wording import YAML_PROBLEMS, describe_path
from bot.content.yamlsrc import ContentErrors, load_yaml

ROOT = Path(__file__).resolve().parents[3]
FLOW = "flows/ho-tich.khai-sinh.yml"


@pytest.mark.parametrize("path, words", [
    ("steps.0.options.0.value", "Bước 1, lựa chọn 1 (value)"),
    ("steps.2.ask", "Bước 3, câu hỏi (ask)"),
    ("documents.1.name", "Giấy tờ 2, tên (name)"),
    ("", "cả tệp"),
])
def test_places_are_named_as_in_the_form(path: str, words: str) -> None:
    assert describe_path(path) == words


@pytest.mark.parametrize("text, line, problem", [
    ("ask: Lưu ý: bé sinh ở đâu?\n", 1, "dấu ':' đặt sai chỗ"),
    ("a:\n  - x\n b: 1\n", 3, "thụt lề không khớp"),
    ("a: [1, 2\n", 1, "thiếu dấu ']'"),
    ("a: 'x\n", 1, "thiếu dấu ngoặc kép"),
    ("a: x\n\tb: y\n", 2, "Tab"),
])
def test_yaml_syntax_errors_read_in_vietnamese_with_a_hint(text: str, line: int, problem: str) -> None:
    with pytest.raises(ContentErrors) as exc:
        load_yaml(text, "flows/x.yml")
    (err,) = exc.value.errors
    assert err.line == line and problem in err.problem and err.hint
    assert not re.search(r"\b(found|expected|allowed|mapping|while|scanning|character)\b", err.problem)
    assert err.words().startswith(f"flows/x.yml, dòng {line}: lỗi cú pháp YAML")


def test_every_table_row_has_problem_and_hint() -> None:
    assert all(frag and problem and hint for frag, problem, hint in YAML_PROBLEMS)


def test_a_syntax_error_hides_the_errors_it_causes_and_a_bad_goto_names_its_line() -> None:
    files = folder_files(ROOT)
    broken = dict(files)
    broken[FLOW] = files[FLOW].replace("ask: Bé được sinh ra", "ask: Lưu ý: bé được sinh ra", 1)
    problems = check(broken, (), require_all=True)
    assert [p["file"] for p in problems] == [FLOW]      # not "thủ tục level: full cần luồng flows/…" too
    assert "có dấu ':' trong câu — đặt câu trong ngoặc kép" in problems[0]["hint"]

    goto = files[FLOW].replace('value: "no"\n        handoff: true', 'value: "no"\n        goto: khong-co\n        handoff: true', 1)
    line = next(i for i, t in enumerate(goto.splitlines(), 1) if "goto: khong-co" in t)
    (p,) = check({**files, FLOW: goto}, (), require_all=False)
    assert p["line"] == line and p["place"] == "Bước 2, lựa chọn 2 (goto)"   # step 1 is the usual case
