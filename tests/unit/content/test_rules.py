"""Time-limited rules (procedures_catalog/_rules.yml): the bot mentions an exemption only while it is in force,
and validation keeps dated statements out of free text."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import load_spec, load_texts, read_folder_texts
from bot.content.yamlsrc import ContentErrors
from bot.dossier.draft import build_draft
from tests.unit.engine.helpers import Chat, u

ROOT = Path(__file__).parents[3]
IN_WINDOW = dt.date(2026, 11, 24)
LAST_DAY = dt.date(2027, 2, 28)        # NQ 66.22/2026/NQ-CP Điều 10 k1: in force to 28/02/2027
AFTER = dt.date(2027, 3, 1)
BEFORE = dt.date(2026, 8, 14)          # ... from 15/8/2026


def _khai_tu_late(content: Any, today: dt.date) -> Chat:
    chat = Chat(content, today=today)
    chat.say("/start")
    chat.say("tôi muốn làm giấy khai tử cho bố", u(("ho-tich.khai-tu", 0.95)))
    chat.say("Có điều khác")   # not the usual case (died more than 15 days ago): each question alone
    chat.say("Đúng vậy")
    chat.say("Quá 15 ngày")
    return chat


@pytest.mark.parametrize("today", [IN_WINDOW, LAST_DAY])
def test_late_death_registration_offers_the_vneid_exemption_while_in_force(content: Any, today: dt.date) -> None:
    chat = _khai_tu_late(content, today)
    assert "VNeID mức 2" in chat.text
    chat.say("Có")
    assert "Nghị quyết 66.22/2026/NQ-CP" in chat.text and "28/02/2027" in chat.text
    assert "{rule:" not in chat.text


@pytest.mark.parametrize("today", [BEFORE, AFTER])
def test_late_death_registration_skips_the_exemption_outside_its_window(content: Any, today: dt.date) -> None:
    chat = _khai_tu_late(content, today)
    assert "VNeID" not in chat.text          # the question exists only for the exemption: not asked
    assert "66.22" not in chat.text
    assert chat.state.step_id == "death_notice"


def _thuong_tru_vneid_yes(content: Any, today: dt.date) -> Chat:
    chat = Chat(content, today=today)
    chat.say("/start")
    chat.say("đăng ký thường trú", u(("cu-tru.thuong-tru", 0.95)))
    for answer in ("Nhà của tôi", "Không", "Không"):
        chat.say(answer)
    assert chat.state.step_id == "vneid_level2"
    chat.say("Có")
    return chat


def test_permanent_residence_exemption_is_said_until_its_last_day_and_not_after(content: Any) -> None:
    during = _thuong_tru_vneid_yes(content, LAST_DAY)
    assert "miễn lệ phí đăng ký thường trú" in during.text
    after = _thuong_tru_vneid_yes(content, AFTER)
    assert "miễn lệ phí" not in after.text and "66.22" not in after.text
    assert "Bạn nên nộp trên VNeID." in after.text     # the rest of the answer stays


def test_fee_answer_and_draft_drop_the_expired_exemption(content: Any) -> None:
    chat = Chat(content, today=IN_WINDOW)
    chat.say("/start")
    chat.say("lệ phí đăng ký thường trú bao nhiêu", u(("cu-tru.thuong-tru", 0.95)))
    proc = content.procedures["cu-tru.thuong-tru"]
    during = build_draft(proc, {}, {}, [], None, IN_WINDOW, rules=content.rules)
    after = build_draft(proc, {}, {}, [], None, AFTER, rules=content.rules)
    assert during.fee_online_note and "miễn lệ phí đăng ký thường trú" in during.fee_online_note
    assert after.fee_online_note is None


def _cccd_change(content: Any, today: dt.date) -> str:
    chat = Chat(content, today=today)
    chat.say("/start")
    chat.say("đổi căn cước", u(("can-cuoc.cap-doi-lai", 0.95)))
    for answer in ("Đổi thẻ", "Từ 14 tuổi trở lên"):
        chat.say(answer)
    chat.say("Đổi từ CCCD sang thẻ căn cước")
    return chat.text


def test_id_card_fee_reduction_is_a_rule_marked_unverified(content: Any) -> None:
    rule = content.rules["can-cuoc-giam-50-le-phi"]
    assert rule.verified is False and rule.note and "31/12/2025" in rule.note
    during = _cccd_change(content, dt.date(2026, 12, 6))
    assert "30.000 đồng" in during and "có thể đang được giảm 50%" in during
    assert "31/12/2026" not in during   # the contested end date is never stated as fact
    after = _cccd_change(content, dt.date(2027, 1, 5))
    assert "30.000 đồng" in after
    assert "giảm" not in after        # after the (contested) end date the reduction is not announced


def _texts() -> tuple[dict[str, str], dict[str, str], str, Any]:
    cat, flo, phrases = read_folder_texts(ROOT)
    return cat, flo, phrases, load_spec(ROOT / "procedures_catalog" / "_spec.yml")


def _errors(cat: dict[str, str], flo: dict[str, str], phrases: str, spec: Any) -> list[str]:
    with pytest.raises(ContentErrors) as exc:
        load_texts(cat, flo, phrases, spec)
    return [str(e) for e in exc.value.errors]


def test_validation_rejects_an_end_date_written_into_a_flow_say(content: Any) -> None:
    cat, flo, phrases, spec = _texts()
    name = "flows/ho-tich.khai-tu.yml"
    text = flo[name].replace("{rule:nq66-22-ho-tich} Bạn nên", "Miễn lệ phí đến 28/02/2027. Bạn nên")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "say: >-" in ln and "Miễn lệ phí đến" in
                text.splitlines()[i])
    errors = _errors(cat, {**flo, name: text}, phrases, spec)
    assert errors == [(f"{name}:{line}: steps.3.options.0.say: câu có thời hạn \"đến 28/02/2027\" viết thẳng vào "
                       "nội dung sẽ sai khi hết hạn: chuyển thành một quy định trong procedures_catalog/_rules.yml "
                       "(valid_from, valid_to, sources) và dẫn bằng {rule:mã}")]


@pytest.mark.parametrize("phrase", ["đang giảm 50% đến hết năm 2026", "giảm 50% (01/7/2026–28/02/2027)",
                                    "giảm đến hết ngày 31/12/2026"])
def test_validation_rejects_dated_catalog_prose(phrase: str) -> None:
    cat, flo, phrases, spec = _texts()
    name = "procedures_catalog/cu-tru.tam-tru.yml"
    text = cat[name].replace("vneid_exemption: \"{rule:nq66-22-tam-tru}\"", f"vneid_exemption: \"Lệ phí {phrase}.\"")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "vneid_exemption:" in ln)
    errors = _errors({**cat, name: text}, flo, phrases, spec)
    assert len(errors) == 1 and errors[0].startswith(f"{name}:{line}: fee.vneid_exemption: câu có thời hạn")


def test_validation_names_an_unknown_rule_and_keeps_historic_dates(content: Any) -> None:
    cat, flo, phrases, spec = _texts()
    name = "flows/cu-tru.tam-tru.yml"
    text = flo[name].replace("{rule:nq66-22-tam-tru}", "{rule:khong-co}")
    errors = _errors(cat, {**flo, name: text}, phrases, spec)
    assert len(errors) == 1 and "quy định 'khong-co' không có trong procedures_catalog/_rules.yml" in errors[0]
    assert errors[0].startswith(f"{name}:")
    # a date a fact started on stays true: not a time-limited statement
    assert content.flows["xay-dung.giay-phep-nha-o"] is not None


def test_rules_file_errors_have_file_line_field() -> None:
    cat, flo, phrases, spec = _texts()
    name = "procedures_catalog/_rules.yml"
    text = cat[name].replace("valid_to: 2026-12-31", "valid_to: cuối năm")
    errors = _errors({**cat, name: text}, flo, phrases, spec)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "cuối năm" in ln)
    assert any(e.startswith(f"{name}:{line}: rules.7.valid_to: ") for e in errors), errors


def _validate(today: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOTCUA_TODAY": today}
    return subprocess.run([sys.executable, "-m", "bot", "validate", "--root", str(ROOT)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_validate_warns_thirty_days_before_a_rule_expires() -> None:
    near = _validate("2027-02-01")
    assert near.returncode == 0, near.stdout + near.stderr
    assert "CẢNH BÁO procedures_catalog/_rules.yml: rules.nq66-22-thuong-tru: hết hiệu lực sau 27 ngày (28/02/2027)" \
        in near.stdout
    far = _validate("2026-09-01")
    assert far.returncode == 0 and "CẢNH BÁO" not in far.stdout


def test_an_impossible_rule_date_is_a_clear_error_not_a_crash() -> None:
    cat, flo, phrases, spec = _texts()
    name = "procedures_catalog/_rules.yml"
    text = cat[name].replace("valid_to: 2026-12-31", "valid_to: 2026-31-12")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "2026-31-12" in ln)
    errors = _errors({**cat, name: text}, flo, phrases, spec)
    assert errors == [f"{name}:{line}: (file): ngày không hợp lệ: month must be in 1..12"]


def test_fee_answer_lists_a_rule_exemption_only_while_in_force(content: Any) -> None:
    from dataclasses import replace

    proc = content.procedures["cu-tru.thuong-tru"]
    fee = proc.fee.model_copy(update={"exemptions": (*proc.fee.exemptions, "{rule:nq66-22-thuong-tru}")})
    snap = replace(content, procedures={**content.procedures, proc.id: proc.model_copy(update={"fee": fee})})
    texts = {}
    for today in (IN_WINDOW, AFTER):
        chat = Chat(snap, today=today)
        chat.say("/start")
        chat.say("đăng ký thường trú", u(("cu-tru.thuong-tru", 0.95)))
        chat.say("lệ phí bao nhiêu", u(("ask_fee", 0.95)))
        texts[today] = chat.text
    assert "Miễn:" in texts[IN_WINDOW] and "miễn lệ phí đăng ký thường trú" in texts[IN_WINDOW]
    assert "miễn lệ phí đăng ký thường trú" not in texts[AFTER]
    assert "; ." not in texts[AFTER] and "{rule:" not in texts[AFTER]
