"""What each catalog procedure is expected to be, as data: the checks in test_procedure_paths.py read it.

A new procedure gets every path check with the defaults (``Expect()``); an entry here only says where a
procedure differs, with the reason beside it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

REVIEWED = dt.date(2026, 11, 24)   # the day every shipped entry was last checked against its sources


def _never(field_id: str, answers: dict[str, str]) -> bool:
    return False


def _civil_status_skip(field_id: str, answers: dict[str, str]) -> bool:
    """A required field is left out only when its value is already known: the requester is that person (their
    own name is not asked twice), or there is no father to record."""
    requester_is_person = (
        answers.get("for_whom") == "self"
        or answers.get("who") in {"parent", "child"}
        or answers.get("requester_is_guardian") == "yes"
    )
    if requester_is_person and field_id.startswith(("requester_relation", "person_", "guardian_", "claimant_")):
        return True
    return answers.get("parents_married") == "no" and field_id.startswith(("father_", "marriage_"))


# The only required fields a residence / social-protection path may leave out are those of the other filer kind
# (organisation vs family for mai táng, representative when the person files alone).
_OTHER_FILER = frozenset({"org_name", "org_address", "org_rep_name", "org_rep_title", "filer_name",
                          "filer_birth_date", "filer_id", "filer_residence", "filer_relation", "rep_name",
                          "rep_relation", "rep_id", "kinh_gui"})


def _other_filer(field_id: str, answers: dict[str, str]) -> bool:
    return field_id in _OTHER_FILER


def _only_when(field_ids: set[str], **answers: str) -> Callable[[str, dict[str, str]], bool]:
    """These fields may be left out on paths with these answers (None: any field)."""
    def skip(field_id: str, given: dict[str, str]) -> bool:
        return (not field_ids or field_id in field_ids) and all(given.get(k) == v for k, v in answers.items())
    return skip


def _any(*rules: Callable[[str, dict[str, str]], bool]) -> Callable[[str, dict[str, str]], bool]:
    return lambda field_id, answers: any(rule(field_id, answers) for rule in rules)


def _land_asset(field_id: str, answers: dict[str, str]) -> bool:
    """The house part of the land form is asked only when there is a house."""
    return field_id in {"asset_kind", "building_area", "floor_area", "ownership", "asset_origin", "structure"}


@dataclass(frozen=True)
class Expect:
    """How one procedure differs from the defaults."""

    code: str | None = None                      # national procedure code, None: no source confirms one
    code_sources: tuple[str, ...] = ("S1",)
    questions: tuple[int, int] = (1, 12)         # how many questions the flow may ask
    plain_names: int = 2                         # colloquial names allowed without diacritics (typed that way)
    one_checklist: bool = False                  # no answer changes the document list (one paper for everyone)
    not_walked: frozenset[str] = frozenset()     # catalog documents no checklist walks, on purpose
    may_skip: Callable[[str, dict[str, str]], bool] = _never   # required fields a path may leave out
    needs_handoff: bool = False                  # some answer must reach a person (disputes, foreign elements)
    foreign_handoff: bool = False                # a foreign element in the first questions goes to a person
    form: bool = True                            # the procedure has a tờ khai the bot fills
    switch_explained: bool = False               # a path that moves to another procedure says why first
    shared_ids: frozenset[str] = frozenset()     # question ids that are also form field ids (prefilled from it)
    vneid_asked: bool = True                     # a fee with a VNeID exemption is asked about in the flow
    vneid_only_for_fee: bool = False             # no VNeID question at all where the fee has no VNeID exemption


def _ho_tich(code: str, foreign: bool = True) -> Expect:
    return Expect(code=code, questions=(2, 8), may_skip=_civil_status_skip, foreign_handoff=foreign)


def _land(**kw: object) -> Expect:
    return Expect(needs_handoff=True, vneid_only_for_fee=True, **kw)  # type: ignore[arg-type]


def _social(**kw: object) -> Expect:
    return Expect(questions=(2, 6), plain_names=0, may_skip=_other_filer, vneid_only_for_fee=True,
                  **kw)  # type: ignore[arg-type]


EXPECT: dict[str, Expect] = {
    # Its fee exemption for late registration is not asked in the flow (reported, issue 15): kept as found.
    "ho-tich.khai-sinh": Expect(code="1.001193", may_skip=_civil_status_skip, vneid_asked=False),
    "ho-tich.ket-hon": _ho_tich("1.000894"),
    "ho-tich.lien-thong-khai-sinh": _ho_tich("2.000986"),
    "ho-tich.khai-tu": _ho_tich("1.000656"),
    "ho-tich.xac-nhan-tinh-trang-hon-nhan": replace(_ho_tich("1.004873"), shared_ids=frozenset({"purpose"})),
    "ho-tich.trich-luc": _ho_tich("2.000635", foreign=False),
    "ho-tich.thay-doi-cai-chinh": _ho_tich("1.004859"),
    "ho-tich.nhan-cha-me-con": _ho_tich("1.001022"),
    "ho-tich.giam-ho": _ho_tich("1.004837"),
    "ho-tich.khai-sinh-lai": _ho_tich("1.004884"),
    "cu-tru.thuong-tru": _social(code="1.004222", code_sources=("S1", "S23")),
    "cu-tru.tam-tru": _social(code="1.004194", code_sources=("S1", "S23")),
    "cu-tru.xac-nhan-cu-tru": _social(),
    "xa-hoi.tro-cap-hang-thang": _social(),
    "xa-hoi.mai-tang-phi": _social(code="1.001731", code_sources=("S27",)),
    "xa-hoi.xac-dinh-khuyet-tat": _social(code="1.001699", code_sources=("S28",)),
    "xa-hoi.ho-ngheo": _social(one_checklist=True),
    "chung-thuc.ban-sao": _land(code="2.000815", code_sources=("S11",), form=False),
    "chung-thuc.chu-ky": _land(code="2.000884", code_sources=("S11",), form=False),
    "chung-thuc.hop-dong": _land(code="2.001035", code_sources=("S1", "S11"), form=False),
    "dat-dai.cap-gcn-lan-dau": _land(may_skip=_land_asset,
                                     # optional papers a message mentions: "Chưa có" would wrongly list them missing
                                     not_walked=frozenset({"trich-do-ban-do", "chung-tu-nghia-vu-tai-chinh"})),
    # registration only (no permission) has no Mẫu 01 to fill
    "dat-dai.chuyen-muc-dich": _land(may_skip=_only_when(set(), conversion="ag_other")),
    "dat-dai.bien-dong": _land(),
    "xay-dung.giay-phep-nha-o": _land(not_walked=frozenset({"bao-cao-tham-tra"})),   # left to the officer
    "kinh-doanh.ho-kinh-doanh": Expect(plain_names=1, switch_explained=True,
                                       may_skip=_only_when({"family_members"}, founders="individual")),
    "cong-thuong.ban-le-ruou": Expect(code="2.000620", plain_names=1, switch_explained=True),
    "cong-thuong.ban-le-thuoc-la": Expect(code="2.000181", plain_names=1, switch_explained=True),
    "cong-thuong.san-xuat-ruou-thu-cong": Expect(code="2.000633", plain_names=1, switch_explained=True),
    # the officer prints the CC01 receipt at the desk: no checklist lists it; a first card has no reason to give
    "can-cuoc.cap-doi-lai": Expect(plain_names=1, not_walked=frozenset({"phieu-thu-nhan-cc01"}), switch_explained=True,
                                   may_skip=_any(_only_when({"reason"}, request="cap_moi"),
                                                 _only_when({"representative_name", "representative_id"},
                                                            age_group="adult"))),
}


def expect(pid: str) -> Expect:
    return EXPECT.get(pid, Expect())


# The 34 provinces after NQ 202/2025/QH15 (domain-facts §1.2), as province-override keys.
PROVINCES = {
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long",
    "Đồng Tháp", "Cà Mau", "An Giang",
}
