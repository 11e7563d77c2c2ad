"""CCCD QR: decode generated card-QR photos under blur, rotation, perspective, noise; garbage never raises."""
from __future__ import annotations

import datetime as dt
import io
import random
import struct
import zlib

import numpy as np
import pytest
import segno
from PIL import Image, ImageFilter

from bot.content.catalog import FormField
from bot.dossier.cccd import CccdData, CccdFailure, cccd_to_fields, cross_check, decode_cccd, parse_payload

PAYLOAD = ("001190012345|012345678|Nguyễn Thị Hương|21051990|Nữ|"
           "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội|15042021")


def _qr(payload: str = PAYLOAD, scale: int = 6) -> Image.Image:
    buf = io.BytesIO()
    segno.make(payload, error="m").save(buf, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def _perspective_coeffs(src, dst):
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array(src, dtype=float).reshape(8)
    return np.linalg.solve(a, b).tolist()


def photo(*, rotate=0.0, blur=0.0, noise=0.0, perspective=False, jpeg=85, payload=PAYLOAD, seed=0,
          light=False) -> bytes:
    """A phone-like photo: the QR on a grey noisy 1200×1600 background, then degraded."""
    rng = np.random.default_rng(seed)
    bg = (rng.normal(150, 20, (1600, 1200))).clip(0, 255).astype("uint8")
    img = Image.fromarray(bg, "L")
    qr = _qr(payload)
    if rotate:
        qr = qr.rotate(rotate, expand=True, fillcolor=255, resample=Image.BICUBIC)
    img.paste(qr, (300, 450))
    if perspective:
        w, h = img.size
        src = [(0, 0), (w, 0), (w, h), (0, h)]
        dst = [(80, 60), (w - 20, 140), (w - 120, h - 40), (30, h - 160)]
        img = img.transform(img.size, Image.PERSPECTIVE, _perspective_coeffs(src, dst), Image.BICUBIC, fillcolor=120)
    if light:
        grad = np.linspace(0.55, 1.15, img.size[0])[None, :]
        img = Image.fromarray((np.asarray(img) * grad).clip(0, 255).astype("uint8"), "L")
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        arr = np.asarray(img).astype(float) + rng.normal(0, noise, (img.size[1], img.size[0]))
        img = Image.fromarray(arr.clip(0, 255).astype("uint8"), "L")
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=jpeg)
    return out.getvalue()


EXPECTED = CccdData("001190012345", "012345678", "Nguyễn Thị Hương", dt.date(1990, 5, 21), "Nữ",
                    "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội", dt.date(2021, 4, 15))


@pytest.mark.parametrize("kwargs", [
    {}, {"rotate": 10}, {"rotate": 45}, {"rotate": 90}, {"rotate": 180}, {"blur": 1.5}, {"blur": 2.0},
    {"noise": 25}, {"noise": 45}, {"jpeg": 20}, {"perspective": True}, {"light": True},
    {"rotate": 20, "blur": 1.5, "noise": 20, "jpeg": 40, "perspective": True},
], ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "clean")
def test_degraded_photos_decode_exactly(kwargs):
    got = decode_cccd(photo(**kwargs))
    assert got == EXPECTED


def test_png_and_webp_are_read():
    qr = _qr()
    for fmt in ("PNG", "WEBP"):
        buf = io.BytesIO()
        qr.save(buf, fmt)
        assert decode_cccd(buf.getvalue()) == EXPECTED


def test_heavy_blur_gives_a_retake_hint():
    got = decode_cccd(photo(blur=6))
    assert isinstance(got, CccdFailure) and got.reason == "no_qr"
    assert "gần hơn" in got.hint and "phẳng" in got.hint and "sáng" in got.hint


def _huge_png_header(w: int, h: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def _blank(size=(800, 600), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("data, reason", [
    (b"", "not_image"),
    (random.Random(1).randbytes(50_000), "not_image"),
    (b"%PDF-1.7 not really", "not_image"),
    ("Xin chào, đây là văn bản".encode(), "not_image"),
    (_blank(), "no_qr"),
    (_blank((1, 1)), "no_qr"),
    (_blank(fmt="JPEG")[:500], "not_image"),  # truncated JPEG
    (_huge_png_header(30_000, 30_000), "too_big"),
    (b"\xff" * (21 * 1024 * 1024), "too_big"),
])
def test_garbage_never_raises(data, reason):
    got = decode_cccd(data)
    assert isinstance(got, CccdFailure) and got.reason == reason and got.hint


def test_a_qr_that_is_not_a_card_is_named_so():
    buf = io.BytesIO()
    _qr("https://dichvucong.gov.vn").save(buf, "PNG")
    got = decode_cccd(buf.getvalue())
    assert isinstance(got, CccdFailure) and got.reason == "not_cccd" and "căn cước" in got.hint


@pytest.mark.parametrize("payload, old", [
    (PAYLOAD, "012345678"),
    (PAYLOAD.replace("|012345678|", "||"), None),
    (PAYLOAD.replace("|012345678|", "|"), None),  # 6-field variant without the old ID
    (PAYLOAD + "|extra|fields", "012345678"),
])
def test_payload_variants(payload, old):
    got = parse_payload(payload)
    assert got is not None and got.old_id_number == old
    assert got.full_name == "Nguyễn Thị Hương" and got.birth_date == dt.date(1990, 5, 21)
    assert got.issue_date == dt.date(2021, 4, 15) and got.warnings == ()


@pytest.mark.parametrize("payload", ["", "abc", "1234|x|y|z|w|v", "00119001234|a|Tên|01011990|Nam|x|01012020",
                                     "001190012345||Tên|99999999|Nam|x|01012020"])
def test_not_a_card_payload(payload):
    assert parse_payload(payload) is None


def test_cross_check_flags_year_and_gender_mismatch():
    assert cross_check("001190012345", dt.date(1990, 5, 21), "Nữ") == ()
    assert cross_check("001090012345", dt.date(1990, 5, 21), "Nam") == ()
    assert cross_check("001203012345", dt.date(2003, 1, 2), "Nam") == ()
    assert len(cross_check("001190012345", dt.date(1991, 5, 21), "Nam")) == 2
    got = parse_payload(PAYLOAD.replace("|Nữ|", "|Nam|"))
    assert got is not None and got.warnings == ("Giới tính không khớp với số căn cước",)


def test_masked_id_hides_all_but_last_four():
    assert EXPECTED.masked_id() == "********2345"


def test_mapping_fills_requester_fields_by_type_only():
    fields = [
        FormField(id="requester_name", label="Họ tên", type="person_name"),
        FormField(id="requester_id", label="Số định danh", type="id_number"),
        FormField(id="requester_old_id", label="CMND", type="old_id_number"),
        FormField(id="requester_birth_date", label="Ngày sinh", type="date_past"),
        FormField(id="requester_gender", label="Giới tính", type="gender"),
        FormField(id="requester_residence", label="Nơi cư trú", type="address"),
        FormField(id="requester_birth_place", label="Nơi sinh", type="address"),
        FormField(id="requester_document", label="Giấy tờ tùy thân", type="identity_document"),
        FormField(id="child_name", label="Tên bé", type="person_name"),
        FormField(id="applicant_name", label="Họ tên (2)", type="person_name"),
    ]
    got = cccd_to_fields(EXPECTED, fields)
    assert got == {
        "requester_name": "Nguyễn Thị Hương", "requester_id": "001190012345", "requester_old_id": "012345678",
        "requester_birth_date": "1990-05-21", "requester_gender": "Nữ",
        "requester_residence": "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội",
        "requester_document": "Căn cước công dân số 001190012345 cấp ngày 15/04/2021",
    }


def test_mapping_on_the_khai_sinh_form(khai_sinh):
    got = cccd_to_fields(EXPECTED, khai_sinh.form.fields)
    assert got == {"requester_name": "Nguyễn Thị Hương", "requester_id": "001190012345"}


def _ff(spec: str) -> list[FormField]:
    """'id:type id:type …' → form fields."""
    return [FormField(id=i, label=i, type=t) for i, t in (x.split(":") for x in spec.split())]


@pytest.mark.parametrize("spec, expected", [
    # unprefixed holder (cấp đổi căn cước): the representative is not the card holder
    (("full_name:person_name birth_date:date_past gender:gender personal_id:id_number residence:address "
     "representative_name:person_name representative_id:id_number"),
     {"full_name", "birth_date", "gender", "personal_id", "residence"}),
    # head of household comes after the holder (thường trú)
    (("full_name:person_name birth_date:date_past gender:gender id_number:id_number head_name:person_name "
     "head_id:id_number"), {"full_name", "birth_date", "gender", "id_number"}),
    # a role prefix (hộ kinh doanh): permanent address from the card, not the current one or the shop's
    (("business_address:address owner_name:person_name owner_birth_date:date_past owner_gender:gender "
     "owner_id:id_number owner_permanent_address:address owner_current_address:address"),
     {"owner_name", "owner_birth_date", "owner_gender", "owner_id", "owner_permanent_address"}),
    # the child has no card; the mother is the first card holder (liên thông khai sinh)
    (("child_name:person_name child_birth_date:date_past child_id:id_number mother_name:person_name "
     "mother_birth_date:date_past mother_id:id_number mother_residence:address father_name:person_name "
     "father_id:id_number"), {"mother_name", "mother_birth_date", "mother_id", "mother_residence"}),
])
def test_default_mapping_finds_the_card_holder(spec, expected):
    assert set(cccd_to_fields(EXPECTED, _ff(spec))) == expected


def test_explicit_prefix_picks_one_party():
    fields = _ff("bride_name:person_name bride_birth_date:date_past bride_id_doc:identity_document "
                 "groom_name:person_name groom_birth_date:date_past")
    assert cccd_to_fields(EXPECTED, fields, prefixes=("bride_",)) == {
        "bride_name": "Nguyễn Thị Hương", "bride_birth_date": "1990-05-21",
        "bride_id_doc": "Căn cước công dân số 001190012345 cấp ngày 15/04/2021"}
    assert cccd_to_fields(EXPECTED, fields) == {}  # no guess when nobody is clearly the holder
