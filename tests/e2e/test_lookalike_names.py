"""A commune's imported list holds near-duplicate names («Đăng ký khai sinh» / «… lưu động» / «Đăng ký lại …»).
Over REST the bot asks which one is meant unless the message says the words that tell them apart — it does not
pick one because the NLU scored it a little higher on a name alone."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from typing import Any

import pytest

from bot.content.importer import import_file
from bot.content.loader import load_content
from tests.conftest import ROOT, new_sender
from tests.fakes.http import post

ROWS = [  # invented codes; names as provinces write them, two families of look-alikes
    ("9.900001", "Đăng ký khai sinh lưu động", "Hộ tịch"),
    ("9.900002", "Đăng ký lại khai sinh có yếu tố nước ngoài", "Hộ tịch"),
    ("9.900003", "Cấp giấy phép khai thác thủy sản", "Thủy sản"),
    ("9.900004", "Cấp lại giấy phép khai thác thủy sản", "Thủy sản"),
    ("9.900005", "Gia hạn giấy phép khai thác thủy sản", "Thủy sản"),
]


def pid(code: str) -> str:
    return "tthc." + code.replace(".", "-")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("lookalikes")
    shutil.copytree(ROOT / "procedures_catalog", root / "procedures_catalog", ignore=shutil.ignore_patterns("imported"))
    shutil.copytree(ROOT / "flows", root / "flows")
    src = root / "list.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cơ quan thực hiện", "Thành phần hồ sơ", "Phí, lệ phí"])
        for code, name, field in ROWS:
            w.writerow([code, name, field, "UBND cấp xã", "- Tờ khai theo mẫu (bản chính)", "Không"])
    assert not import_file(src, root, dt.date(2026, 12, 6)).errors
    return load_content(root, require_all=False)


@pytest.fixture(scope="module")
def trained_parser(content: Any) -> Any:
    from bot.content.knowledge import knowledge_items, labels
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    return BuiltinParser.train(default_training_set(knowledge_items(content), labels(content)))


async def ask(client: Any, services: Any, text: str) -> tuple[dict[str, Any], list[str]]:
    """The conversation state after ``text`` and the payloads of the buttons offered."""
    s = new_sender()
    replies = await post(client, s, text)
    state = (await services.repo.load("rest", s)).state
    return state, [b["payload"] for r in replies for b in r.get("buttons", [])]


@pytest.mark.parametrize("text, meant, alike", [
    ("đăng ký khai sinh", "ho-tich.khai-sinh", {pid("9.900001"), "ho-tich.khai-sinh-lai"}),
    ("khai sinh cho con", "ho-tich.khai-sinh", {pid("9.900001")}),
    ("cấp giấy phép khai thác thủy sản", pid("9.900003"), {pid("9.900004")}),
    ("xin giấy phép khai thác thủy sản", pid("9.900003"), {pid("9.900004"), pid("9.900005")}),
])
async def test_a_name_shared_by_look_alikes_is_clarified(client: Any, services: Any, text: str, meant: str,
                                                         alike: set[str]) -> None:
    state, buttons = await ask(client, services, text)
    assert state["phase"] == "clarify" and state.get("procedure_id") is None, state
    assert {meant, *alike} <= set(state["candidates"])
    assert f"/chon {meant}" in buttons and "/khongphai" in buttons


@pytest.mark.parametrize("text, meant", [
    ("đăng ký khai sinh lưu động", pid("9.900001")),
    ("cấp lại giấy phép khai thác thủy sản", pid("9.900004")),
    ("gia hạn giấy phép khai thác thủy sản", pid("9.900005")),
])
async def test_the_words_that_tell_them_apart_start_the_one_meant(client: Any, services: Any, text: str,
                                                                  meant: str) -> None:
    state, _ = await ask(client, services, text)
    assert state["phase"] == "flow" and state["procedure_id"] == meant, state
