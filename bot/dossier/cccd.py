"""Read the QR code on a chip citizen ID card (CCCD) from a photo and map it to form fields.

Payload (no official spec; several independent parsers agree, see vietnamese-text.md §7):
``ID12|oldCMND9|Họ tên|ddmmyyyy|Nam/Nữ|địa chỉ|ddmmyyyy(ngày cấp)``; the old ID may be empty and one
variant has 6 fields without it. Never raises: garbage bytes, huge images and unreadable photos all come
back as a ``CccdFailure`` with a plain-Vietnamese hint, and the bot then asks the questions as usual.
CPU-bound (~0.2–0.5 s): the runtime calls it through ``asyncio.to_thread``.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from bot.content.catalog import FormField
from bot.privacy.masking import keep_ends

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # a phone photo is 1–8 MB
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding the pixels
WORK_SIDE = 2000  # decode at most this long side; a card QR stays well above 2 px per module

HINT_RETAKE = ("Mình chưa đọc được mã QR trên thẻ. Bạn chụp lại gần hơn sao cho mã QR chiếm khoảng nửa khung hình, "
               "để thẻ phẳng, đủ sáng và không bị lóa; hoặc gõ thông tin như bình thường cũng được.")
HINT_NOT_IMAGE = "Tệp bạn gửi không phải ảnh mình đọc được. Bạn gửi ảnh chụp (JPG hoặc PNG) mặt có mã QR của thẻ căn cước nhé."
HINT_TOO_BIG = "Ảnh quá lớn. Bạn chụp lại bằng camera điện thoại bình thường rồi gửi giúp mình nhé."
HINT_NOT_CCCD = ("Mã QR trong ảnh không phải mã trên thẻ căn cước. Bạn chụp mã QR ở góc trên bên phải mặt trước "
                 "thẻ căn cước công dân (hoặc mặt sau thẻ căn cước mới) nhé.")


@dataclass(frozen=True)
class CccdData:
    """What the card's QR says. ``warnings`` lists cross-check mismatches the citizen should confirm."""

    id_number: str
    old_id_number: str | None
    full_name: str
    birth_date: dt.date | None
    gender: str | None  # "Nam" / "Nữ"
    address: str
    issue_date: dt.date | None
    warnings: tuple[str, ...] = field(default=())

    hint = None  # duck-typing with CccdFailure for callers that test ``.hint``

    def masked_id(self) -> str:
        """For logs and summaries: the last 4 digits only."""
        return keep_ends(self.id_number, 0, 4, "*" * 8)


@dataclass(frozen=True)
class CccdFailure:
    """Why nothing was read, and what to tell the citizen."""

    reason: str  # not_image | too_big | no_qr | not_cccd
    hint: str


def _date(text: str) -> dt.date | None:
    t = text.strip()
    if len(t) != 8 or not t.isdigit():
        return None
    try:
        return dt.date(int(t[4:]), int(t[2:4]), int(t[:2]))
    except ValueError:
        return None


def _gender(text: str) -> str | None:
    t = unicodedata.normalize("NFC", text.strip()).casefold()
    if t in ("nam", "male", "m"):
        return "Nam"
    if t in ("nữ", "nu", "female", "f"):
        return "Nữ"
    return None


def cross_check(id_number: str, birth: dt.date | None, gender: str | None) -> tuple[str, ...]:
    """Digit 4 encodes century and gender (0/1 = 1900s nam/nữ, 2/3 = 2000s…), digits 5–6 the birth year."""
    out = []
    code = int(id_number[3])
    century, female = 1900 + 100 * (code // 2), code % 2 == 1
    if birth is not None and (birth.year // 100 * 100 != century or birth.year % 100 != int(id_number[4:6])):
        out.append("Năm sinh không khớp với số căn cước")
    if gender is not None and (gender == "Nữ") != female:
        out.append("Giới tính không khớp với số căn cước")
    return tuple(out)


def parse_payload(text: str) -> CccdData | None:
    """Tolerant parser: 6 or 7+ fields, empty old ID, trailing fields; None if it is not a CCCD QR."""
    parts = [unicodedata.normalize("NFC", p).strip() for p in (text or "").strip().split("|")]
    if len(parts) < 6:
        return None
    id_number = parts[0]
    if len(id_number) != 12 or not id_number.isdigit():
        return None
    has_old = len(parts) >= 7 and (parts[1] == "" or parts[1].isdigit())
    rest = parts[2:] if has_old else parts[1:]
    old = (parts[1] or None) if has_old else None
    if len(rest) < 5:
        return None
    name, dob, gender, address, issue = rest[0], _date(rest[1]), _gender(rest[2]), rest[3], _date(rest[4])
    if not name or dob is None:
        return None
    return CccdData(id_number, old, name, dob, gender, address, issue, cross_check(id_number, dob, gender))


def _open(data: bytes) -> Image.Image | CccdFailure:
    if not data or len(data) > MAX_BYTES:
        return CccdFailure("too_big" if data else "not_image", HINT_TOO_BIG if data else HINT_NOT_IMAGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > MAX_PIXELS:
                return CccdFailure("too_big", HINT_TOO_BIG)
            if img.format not in ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO", "HEIF"):
                return CccdFailure("not_image", HINT_NOT_IMAGE)
            img.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at reduced scale, cheap
            img.load()
            img = ImageOps.exif_transpose(img) or img
            img = img.convert("L")
            if max(img.size) > WORK_SIDE:
                img.thumbnail((WORK_SIDE, WORK_SIDE))
            return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return CccdFailure("too_big", HINT_TOO_BIG)
    except Exception as exc:  # noqa: BLE001 — any decoder error on hostile bytes
        log.info("cccd: image not readable (%s)", type(exc).__name__)
        return CccdFailure("not_image", HINT_NOT_IMAGE)


def _read_qr_texts(img: Image.Image) -> list[str]:
    import zxingcpp

    texts: list[str] = []
    try:
        for b in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
            if b.text:
                texts.append(b.text)
        if not texts and max(img.size) > 1000:  # a smaller copy sometimes binarizes a blurred photo better
            small = img.copy()
            small.thumbnail((1000, 1000))
            texts += [b.text for b in zxingcpp.read_barcodes(small, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)) if b.text]
    except Exception as exc:  # noqa: BLE001 — the decoder must not end the turn
        log.info("cccd: decoder error (%s)", type(exc).__name__)
    return texts


def decode_cccd(data: bytes) -> CccdData | CccdFailure:
    """Photo bytes (JPEG/PNG/WebP) → the card's data, or a failure with a hint. Never raises."""
    try:
        img = _open(data)
        if isinstance(img, CccdFailure):
            return img
        texts = _read_qr_texts(img)
        if not texts:
            return CccdFailure("no_qr", HINT_RETAKE)
        for t in texts:
            got = parse_payload(t)
            if got is not None:
                log.info("cccd: read card %s", got.masked_id())
                return got
        return CccdFailure("not_cccd", HINT_NOT_CCCD)
    except Exception as exc:  # noqa: BLE001 — last line of defence: the chat must go on
        log.warning("cccd: unexpected error (%s)", type(exc).__name__)
        return CccdFailure("no_qr", HINT_RETAKE)


decode = decode_cccd

DEFAULT_PREFIXES = ("requester_", "applicant_")
_NOT_RESIDENCE = ("birth_place", "hometown", "que_quan", "work", "business", "land", "property", "current",
                  "shop", "office")
_UNPREFIXED = {"full_name", "birth_date", "gender", "id_number", "personal_id", "old_id_number", "residence",
               "permanent_address", "address", "identity_document", "id_doc"}
_NOT_HOLDER = ("child_",)  # a child has no chip card


def holder_fields(form_fields: Iterable[FormField]) -> list[FormField]:
    """The fields of the person the card belongs to: ``requester_*``/``applicant_*`` when the form has them,
    else the role of the first ID-number field (``owner_*``, ``person_*``, ``mother_*``…), else the
    unprefixed ``full_name``/``birth_date``/``id_number`` style fields."""
    fields = list(form_fields)
    named = [f for f in fields if f.id.startswith(DEFAULT_PREFIXES)]
    if named:
        return named
    for f in fields:
        if f.type != "id_number" or f.id.startswith(_NOT_HOLDER) or "_" not in f.id:
            continue
        prefix = f.id.rsplit("_", 1)[0] + "_"
        group = [g for g in fields if g.id.startswith(prefix)]
        if any(g.type == "person_name" for g in group):
            return group
        break
    return [f for f in fields if f.id in _UNPREFIXED]


def cccd_to_fields(data: CccdData, form_fields: Iterable[FormField],
                   prefixes: tuple[str, ...] | None = None) -> dict[str, str]:
    """Values for the card holder's fields, by field type, as the engine stores them (ISO dates).

    ``prefixes`` picks the holder's fields explicitly (e.g. ``("bride_",)``); by default ``holder_fields``
    guesses them. The first field of each type wins, so one card never fills two people.
    """
    fields = list(form_fields)
    chosen = [f for f in fields if f.id.startswith(prefixes)] if prefixes else holder_fields(fields)
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in chosen:
        value: str | None = None
        kind: str = f.type
        if kind == "id_number":
            value = data.id_number
        elif kind == "old_id_number":
            value = data.old_id_number
        elif kind == "person_name":
            value = data.full_name
        elif kind in ("date_past", "date") and "birth" in f.id:
            value = data.birth_date.isoformat() if data.birth_date else None
            kind = "birth_date"
        elif kind == "year" and "birth" in f.id:
            value = str(data.birth_date.year) if data.birth_date else None
            kind = "birth_year"
        elif kind == "gender":
            value = data.gender
        elif kind == "address" and not any(x in f.id for x in _NOT_RESIDENCE):
            value = data.address
        elif kind == "identity_document":
            issued = f" cấp ngày {data.issue_date.strftime('%d/%m/%Y')}" if data.issue_date else ""
            value = f"Căn cước công dân số {data.id_number}{issued}"
        if value and kind not in used:
            out[f.id] = value
            used.add(kind)
    return out
