"""The rendered draft: PDF text shows the citizen's values with correct diacritics, only our font is embedded,
the QR on the page opens the officer's link, citizen text is escaped, every catalog form renders."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from pathlib import Path

import markupsafe
import pytest
import yaml
from PIL import Image

from bot.content.catalog import Procedure
from bot.dossier.draft import build_draft
from bot.dossier.render import FONT_FAMILY, render_checklist_text, render_html, render_pdf
from tests.conftest import needs_tool

ROOT = Path(__file__).resolve().parents[3]
BASE = "https://motcua.example"
CODE = "KS-7F3K2Q"
TODAY = dt.date(2026, 3, 20)

pytestmark = needs_tool("pdftotext", "poppler-utils, make system-deps")

# Every Vietnamese letter with every tone, lower and upper case.
VI_LOWER = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ")
VI_UPPER = VI_LOWER.upper()


def load(pid: str) -> Procedure:
    return Procedure.model_validate(yaml.safe_load((ROOT / "procedures_catalog" / f"{pid}.yml").read_text("utf-8")))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def flat(s: str) -> str:
    return re.sub(r"\s+", " ", nfc(s))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    p = tmp_path / "d.pdf"
    p.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True, check=True,
                          text=True).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[str]:
    p = tmp_path / "f.pdf"
    p.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(p)], capture_output=True, check=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines()[2:] if line.strip()]


KS_FIELDS = {
    "requester_name": "Nguyễn Thị Hương", "requester_id": "001190012345", "requester_relation": "Mẹ",
    "child_name": "Trần Minh Khôi", "child_birth_date": "2026-03-15", "child_gender": "Nam",
    "child_ethnicity": "Kinh", "child_nationality": "Việt Nam",
    "child_birth_place": "Bệnh viện Phụ sản Hà Nội, phường Láng, thành phố Hà Nội",
    "child_hometown": "xã Ứng Hòa, thành phố Hà Nội", "mother_name": "Nguyễn Thị Hương",
    "mother_birth_date": "1990-05-21", "mother_ethnicity": "Kinh", "mother_nationality": "Việt Nam",
    "mother_residence": "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng, thành phố Hà Nội",
    "father_name": "Trần Đức Thắng", "father_birth_date": "1988-11-04", "father_ethnicity": "Tày",
    "father_nationality": "Việt Nam", "father_residence": "Thôn Đông, xã Ứng Hòa, thành phố Hà Nội",
    "phone": "0912345678",
}


@pytest.fixture(scope="module")
def ks_draft():
    return build_draft(load("ho-tich.khai-sinh"), {}, KS_FIELDS, ["giay-chung-sinh"], None, TODAY,
                       applicable_docs=["to-khai", "giay-chung-sinh", "giay-to-tuy-than"])


@pytest.fixture(scope="module")
def ks_pdf(ks_draft):
    return render_pdf(ks_draft, CODE, BASE)


def test_khai_sinh_pdf_contains_every_value_with_diacritics(ks_pdf, tmp_path):
    text = flat(pdf_text(ks_pdf, tmp_path))
    for fid, value in KS_FIELDS.items():
        shown = dt.date.fromisoformat(value).strftime("%d/%m/%Y") if fid.endswith("birth_date") else value
        assert nfc(shown) in text, fid
    assert "Ngày mười lăm, tháng ba, năm hai nghìn không trăm hai mươi sáu" in text


def test_khai_sinh_pdf_follows_the_official_wording(ks_pdf, tmp_path):
    text = flat(pdf_text(ks_pdf, tmp_path))
    for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "TỜ KHAI ĐĂNG KÝ KHAI SINH",
                   "Kính gửi", "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây",
                   "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật",
                   "Làm tại", "Người yêu cầu", "(Ký, ghi rõ họ, chữ đệm, tên)", "Đề nghị cấp bản sao"):
        assert phrase in text, phrase
    assert CODE in text


def test_pdf_is_a4_and_form_fits_one_page(ks_pdf, tmp_path):
    p = tmp_path / "a.pdf"
    p.write_bytes(ks_pdf)
    info = subprocess.run(["pdfinfo", str(p)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info or "(A4)" in info
    assert re.search(r"Pages:\s+2\b", info)  # form page + checklist page


def test_checklist_page_lists_lacking_documents_fee_time_where(ks_pdf, ks_draft, tmp_path):
    text = flat(pdf_text(ks_pdf, tmp_path))
    assert "DANH SÁCH GIẤY TỜ CẦN MANG" in text
    assert "Giấy chứng sinh" in text and "Chưa có" in text
    assert flat(ks_draft.checklist[1].how_to_get) in text
    assert "Lệ phí" in text and "Thời hạn giải quyết" in text and "Nơi nộp" in text


def test_only_the_packaged_font_is_embedded(ks_pdf, tmp_path):
    fonts = pdf_fonts(ks_pdf, tmp_path)
    assert fonts and all(FONT_FAMILY.replace(" ", "-") in f for f in fonts), fonts
    assert not any(x in f for f in fonts for x in ("Nimbus", "Times", "DejaVu", "Liberation"))


def test_every_vietnamese_letter_round_trips_without_fallback(tmp_path):
    """No tofu and no silent fallback: all letters come back from the PDF text and only our font is used."""
    fields = dict(KS_FIELDS, child_name=VI_LOWER, child_birth_place=VI_UPPER,
                  child_hometown=unicodedata.normalize("NFD", "Quảng Ngãi, Thừa Thiên Huế, Bắc Ninh"))
    draft = build_draft(load("ho-tich.khai-sinh"), {}, fields, [], None, TODAY, applicable_docs=["to-khai"])
    pdf = render_pdf(draft, CODE, BASE)
    text = nfc(pdf_text(pdf, tmp_path))
    squeezed = "".join(text.split())  # the long word wraps; compare without line breaks
    assert VI_LOWER in squeezed and VI_UPPER in squeezed
    assert "Quảng Ngãi, Thừa Thiên Huế, Bắc Ninh" in flat(text)
    assert "\ufffd" not in text
    fonts = pdf_fonts(pdf, tmp_path)
    assert all(FONT_FAMILY.replace(" ", "-") in f for f in fonts), fonts


def test_page_screenshot_has_a_qr_that_opens_the_officer_page(ks_pdf, tmp_path):
    import zxingcpp

    p = tmp_path / "q.pdf"
    p.write_bytes(ks_pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(p), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    img = Image.open(png)
    assert img.size[0] < img.size[1]  # portrait
    codes = zxingcpp.read_barcodes(img)
    assert [c.text for c in codes] == [f"{BASE}/dossiers/{CODE}"]


def test_citizen_text_is_escaped(tmp_path):
    evil = '<script>alert("x")</script><img src="file:///etc/passwd">'
    draft = build_draft(load("ho-tich.khai-sinh"), {}, dict(KS_FIELDS, child_name=evil), [], None, TODAY,
                        applicable_docs=["to-khai"])
    html = render_html(draft, CODE, BASE)
    assert "<script>" not in html and "&lt;script&gt;" in html and '<img src="file:///etc' not in html
    assert "alert" in flat(pdf_text(render_pdf(draft, CODE, BASE), tmp_path))  # shown as text, not run


def _sample_value(f) -> str:
    if f.type in ("date", "date_past"):
        return "1985-04-24"
    if f.type == "year":
        return "1985"
    if f.type == "choice":
        return f.choices[0]
    if f.type == "gender":
        return "Nữ"
    if f.type in ("id_number",):
        return "001185012345"
    if f.type == "phone":
        return "0987654321"
    if f.type == "number":
        return "12"
    if f.type == "email":
        return "huong@example.vn"
    return f"Lê Thị Ngọc Ánh {f.id[-6:]}"  # diacritics + a marker to tell fields apart


FORM_IDS = sorted(p.stem for p in (ROOT / "procedures_catalog").glob("*.yml")
                  if not p.stem.startswith("_") and "\nform:" in p.read_text("utf-8"))


@pytest.mark.parametrize("pid", FORM_IDS)
def test_every_catalog_form_renders_with_the_citizen_values(pid, tmp_path):
    proc = load(pid)
    fields = {f.id: _sample_value(f) for f in proc.form.fields}
    draft = build_draft(proc, {}, fields, [d.id for d in proc.documents[:1]], None, TODAY)
    code = f"{pid[:2].upper()}-7F3K2Q"
    text = flat(pdf_text(render_pdf(draft, code, BASE), tmp_path))
    for f in proc.form.fields:
        v = draft.value(f.id)
        assert flat(v.display) in text, (pid, f.id)
        if v.in_words:
            assert flat(v.in_words) in text, (pid, f.id)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and code in text


def test_procedure_without_form_gets_the_checklist_with_code_and_qr(tmp_path):
    proc = load("chung-thuc.ban-sao")
    assert proc.form is None
    draft = build_draft(proc, {}, {}, [proc.documents[0].id], None, TODAY)
    pdf = render_pdf(draft, "CT-7F3K2Q", BASE)
    text = flat(pdf_text(pdf, tmp_path))
    assert "DANH SÁCH GIẤY TỜ CẦN MANG" in text and "CT-7F3K2Q" in text
    for c in draft.checklist:
        assert flat(c.name) in text


def test_checklist_text_for_chat(ks_draft):
    text = render_checklist_text(ks_draft)
    assert "1. Tờ khai đăng ký khai sinh: 01 bản chính" in text
    assert "Giấy chứng sinh: 01 bản chính — bạn CHƯA CÓ" in text
    assert "Xin tại cơ sở y tế" in text
    assert text.count("Lệ phí") == 1 and "Nơi nộp:" in text and "Thời hạn giải quyết:" in text
    assert "<" not in text


def test_ket_hon_uses_its_own_two_party_layout(tmp_path):
    proc = load("ho-tich.ket-hon")
    fields = {f.id: _sample_value(f) for f in proc.form.fields}
    fields.update(bride_name="Phạm Thị Thu Hằng", groom_name="Lê Quốc Việt", copies="2")
    draft = build_draft(proc, {}, fields, [], None, TODAY)
    html = render_html(draft, "KH-7F3K2Q", BASE)
    assert "TỜ KHAI ĐĂNG KÝ KẾT HÔN" in html and '<th>Bên nữ</th><th>Bên nam</th>' in html
    text = flat(pdf_text(render_pdf(draft, "KH-7F3K2Q", BASE), tmp_path))
    assert "Chúng tôi cam đoan" in text
    # both parties sign under their own heading, with their names printed
    assert re.search(r"Bên nữ .*Bên nam .*Phạm Thị Thu Hằng .*Lê Quốc Việt", text)
    assert "Số lượng: 2 bản" in text


def test_generic_template_when_the_procedure_has_no_own_template():
    proc = load("ho-tich.khai-tu")
    draft = build_draft(proc, {}, {f.id: _sample_value(f) for f in proc.form.fields}, [], None, TODAY)
    html = render_html(draft, "KT-7F3K2Q", BASE)
    pos = 0
    for f in proc.form.fields:  # every label, in form order
        pos = html.find(f'<span class="lbl">{markupsafe.escape(f.label)}:</span>', pos)
        assert pos > 0, f.id


def test_packaged_font_has_a_glyph_for_every_vietnamese_letter():
    """With only our font embedded (test above), a letter missing from its cmap would print as a tofu box."""
    from fontTools.ttLib import TTFont

    from bot.dossier.render import font_files

    for path in font_files().values():
        cmap = TTFont(str(path)).getBestCmap()
        missing = [ch for ch in VI_LOWER + VI_UPPER + "0123456789₫–—…“”" if ord(ch) not in cmap]
        assert not missing, (path.name, missing)


def test_diacritics_are_drawn_on_the_page(tmp_path):
    """Screenshot check: the same line with and without marks must not render to the same pixels."""
    def page_png(name: str) -> Image.Image:
        draft = build_draft(load("ho-tich.khai-sinh"), {}, dict(KS_FIELDS, child_name=name), [], None, TODAY,
                            applicable_docs=["to-khai"])
        p = tmp_path / f"{len(list(tmp_path.iterdir()))}.pdf"
        p.write_bytes(render_pdf(draft, CODE, BASE))
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-gray", "-f", "1", "-l", "1", str(p), str(p.with_suffix(""))],
                       check=True)
        return Image.open(next(tmp_path.glob(p.stem + "*.png"))).convert("L")

    marked, plain = page_png("ỐỢỰ ẫẩậ Ỹ"), page_png("OOU aaa Y")
    from PIL import ImageChops

    box = ImageChops.difference(marked, plain).getbbox()
    assert box is not None  # marks were drawn
    h = marked.size[1]
    assert box[1] > h * 0.2 and box[3] < h * 0.45  # and only on the child's name line, nowhere else
