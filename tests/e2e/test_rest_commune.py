"""Which commune a citizen belongs to (issue 21 item 2), end to end over the REST channel with the trained NLU and
real storage: asked for "nộp ở đâu" and answered with that commune's desk, an old (pre-2025) name mapped and
confirmed with buttons, remembered for the sender's later visits, changed with "đổi xã"."""
from __future__ import annotations

from typing import Any

import pytest

from bot.handoff.communes import find_commune
from tests.conftest import new_sender
from tests.e2e.test_rest import buttons, post, texts

PROVINCE = "Đắk Lắk"


@pytest.fixture
async def province(services: Any, clock: Any) -> Any:
    services.settings.content.province = PROVINCE
    services.handoff.communes.province = PROVINCE
    await services.handoff.communes.set("xã Ea Kar", clock(), address="Số 1 Nguyễn Tất Thành, xã Ea Kar",
                                        working_hours="Mon-Fri 07:30-11:30,13:30-17:00", phone="0262 3827 123")
    return services.handoff.communes


async def state(services: Any, sender: str) -> dict[str, Any]:
    return (await services.repo.load("rest", sender)).state


async def test_where_to_submit_asks_the_commune_once_and_names_its_desk(client: Any, services: Any,
                                                                        province: Any) -> None:
    s = new_sender()
    await post(client, s, "tôi muốn làm giấy khai sinh cho con")
    r = await post(client, s, "nộp hồ sơ ở đâu vậy")
    assert "Bạn ở xã/phường nào của Đắk Lắk?" in texts(r), texts(r)
    assert [b["title"] for b in buttons(r)] == ["Bỏ qua"]
    r = await post(client, s, "xa ea kar")
    answer = texts(r)
    assert "Nơi nộp (Đăng ký khai sinh)" in answer and "Bộ phận một cửa của UBND xã Ea Kar:" in answer, answer
    assert "Số 1 Nguyễn Tất Thành" in answer and "0262 3827 123" in answer
    assert "thứ Hai đến thứ Sáu: 7 giờ 30 – 11 giờ 30, 13 giờ 30 – 17 giờ" in answer
    assert (await state(services, s))["procedure_id"] == "ho-tich.khai-sinh"   # the procedure goes on
    await post(client, s, "/huy")
    await post(client, s, "/huy_xacnhan")
    assert (await state(services, s))["procedure_id"] is None   # started over
    r = await post(client, s, "nop o dau")   # the same sender later: remembered, not asked again
    assert "xã/phường nào" not in texts(r) and "Bộ phận một cửa của UBND xã Ea Kar:" in texts(r), texts(r)
    r = await post(client, s, "xã làm việc mấy giờ")
    assert "thứ Hai đến thứ Sáu: 7 giờ 30 – 11 giờ 30" in texts(r)


async def test_an_old_commune_name_is_mapped_and_confirmed_with_buttons(client: Any, services: Any,
                                                                        province: Any) -> None:
    s = new_sender()
    await post(client, s, "xin chào")
    r = await post(client, s, "nhà tôi ở xã Hòa An, huyện Krông Pắc cũ")
    assert "Xã Hòa An, huyện Krông Pắc (cũ) nay thuộc xã Krông Pắc" in texts(r), texts(r)
    assert [b["title"] for b in buttons(r)] == ["Đúng", "Không phải"]
    assert (await state(services, s)).get("commune") is None   # nothing kept before the citizen confirms
    r = await post(client, s, buttons(r)[0]["payload"])
    assert "đã ghi nhận bạn ở xã Krông Pắc" in texts(r)
    assert (await state(services, s))["commune"] == find_commune("xã Krông Pắc", PROVINCE).code  # type: ignore[union-attr]
    r = await post(client, s, "/canbo")   # a handoff now goes straight to that commune, no question
    assert "xã/phường nào" not in texts(r) and (await state(services, s))["mode"] == "waiting_human"

    split = new_sender()   # split between two 2025 communes: the citizen picks one
    await post(client, split, "xin chào")
    r = await post(client, split, "xa hoa an huyen phu hoa cu")
    assert "nay được chia vào" in texts(r), texts(r)
    picks = [b["title"] for b in buttons(r)]
    assert "Phường Tuy Hòa" in picks and picks[-1] == "Không phải các xã/phường trên"
    await post(client, split, "Phường Tuy Hòa")
    assert (await state(services, split))["commune"] == find_commune("Phường Tuy Hòa", PROVINCE).code  # type: ignore[union-attr]

    district = new_sender()   # an old district alone: the communes it went into, by number on a menu channel
    await post(client, district, "xin chào")
    r = await post(client, district, "tôi ở huyện Ea Kar cũ")
    assert "Huyện Ea Kar (cũ) nay được chia vào" in texts(r), texts(r)
    picks = [b["title"] for b in buttons(r)]
    await post(client, district, str(picks.index("Xã Ea Kar") + 1))
    assert (await state(services, district))["commune"] == find_commune("xã Ea Kar", PROVINCE).code  # type: ignore[union-attr]


async def test_a_citizen_changes_commune_with_or_without_diacritics(client: Any, services: Any,
                                                                    province: Any) -> None:
    s = new_sender()
    await post(client, s, "/canbo")
    await post(client, s, "xã Ea Kar")
    await post(client, s, "/huy")
    r = await post(client, s, "doi xa")
    assert "chuyển sang xã/phường nào" in texts(r), texts(r)
    assert (await state(services, s)).get("commune") is None
    await post(client, s, "xã Ea Tul")
    assert (await state(services, s))["commune"] == find_commune("xã Ea Tul", PROVINCE).code  # type: ignore[union-attr]
    r = await post(client, s, "tôi chuyển sang phường khác rồi")
    assert "chuyển sang xã/phường nào" in texts(r)


async def test_a_commune_is_kept_under_its_official_code(client: Any, services: Any, clock: Any) -> None:
    """Cao Bằng, where the package release used before gave "Xã Hạ Lang" the NSO code of "Xã Vinh Quý" (1561):
    the desk an admin sets up by name and the commune a citizen names are both the right one."""
    services.settings.content.province = "Cao Bằng"
    services.handoff.communes.province = "Cao Bằng"
    await services.handoff.communes.set("xã Vinh Quý", clock(), phone="0206 3880 111")
    await services.handoff.communes.set("1558", clock(), phone="0206 3880 222")
    for typed, code, phone in (("xa vinh quy", "1561", "0206 3880 111"), ("xã Hạ Lang", "1558", "0206 3880 222")):
        s = new_sender()
        await post(client, s, "tôi muốn làm giấy khai sinh cho con")
        r = await post(client, s, "nộp hồ sơ ở đâu vậy")
        assert "Bạn ở xã/phường nào của Cao Bằng?" in texts(r), texts(r)
        r = await post(client, s, typed)
        assert phone in texts(r), texts(r)
        assert (await state(services, s))["commune"] == code
