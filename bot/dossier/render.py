"""Render a draft: the pre-filled form (HTML and A4 PDF) with its QR code, and the checklist as chat text.

Templates live in ``procedures_catalog/forms/`` beside the entries. The font is named explicitly with
``@font-face`` pointing at Be Vietnam Pro from the ``fontpkg-be-vietnam-pro`` PyPI package: on a fresh
machine fontconfig maps generic 'Times' to Nimbus Roman, whose Vietnamese marks land off the letters.
Sync and CPU-bound (≈0.3 s per PDF once warm): call ``render_pdf`` through ``asyncio.to_thread``.
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bot.dossier.draft import DraftContent

if TYPE_CHECKING:   # jinja2 is imported with the first draft rendered, not by every worker's start
    import jinja2

CATALOG_DIR = Path(__file__).resolve().parents[2] / "procedures_catalog"
GENERIC_TEMPLATE = "forms/_generic.html.j2"
CHECKLIST_ONLY_TEMPLATE = "forms/_checklist_only.html.j2"
FONT_FAMILY = "Motcua Be Vietnam Pro"  # our own family name, so nothing on the machine can substitute it


def font_files() -> dict[str, Path]:
    """The TTF files the PDF embeds (regular, bold, italic, bold italic)."""
    import fontpkg_be_vietnam_pro as pkg

    root = Path(pkg.ROOT) / "files"
    return {
        "regular": root / "BeVietnamPro-Regular.ttf",
        "bold": root / "BeVietnamPro-Bold.ttf",
        "italic": root / "BeVietnamPro-Italic.ttf",
        "bolditalic": root / "BeVietnamPro-BoldItalic.ttf",
    }


def font_face_css() -> str:
    """``@font-face`` rules with file:// URLs of the packaged font."""
    f = font_files()
    rules = []
    for key, weight, style in (("regular", 400, "normal"), ("bold", 700, "normal"),
                               ("italic", 400, "italic"), ("bolditalic", 700, "italic")):
        rules.append(f"@font-face {{ font-family: '{FONT_FAMILY}'; src: url('{f[key].as_uri()}'); "
                     f"font-weight: {weight}; font-style: {style}; }}")
    return "\n".join(rules)


@functools.lru_cache(maxsize=4)
def _env(catalog_dir: str) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(catalog_dir),
        autoescape=True,  # citizen text may contain <script> or <img src=file:…>
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["font_family"] = FONT_FAMILY
    return env


def officer_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/dossiers/{code}"


def qr_data_uri(url: str) -> str:
    """An SVG QR code of the officer's link, embedded in the page (no file, no network)."""
    import segno  # here: rendering a draft needs it, a worker's start does not

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _template_for(draft: DraftContent, env: jinja2.Environment) -> jinja2.Template:
    """The template the entry names, else ``forms/<procedure id>.html.j2``, else the generic form; no form → checklist."""
    import jinja2

    if draft.form_id is None:
        return env.get_template(CHECKLIST_ONLY_TEMPLATE)
    for name in (draft.form_template, f"forms/{draft.procedure_id}.html.j2"):
        if name and name.startswith("forms/") and ".." not in name:
            try:
                return env.get_template(name)
            except jinja2.TemplateNotFound:
                continue
    return env.get_template(GENERIC_TEMPLATE)


def render_html(draft: DraftContent, code: str, base_url: str, *, catalog_dir: Path | None = None,
                for_pdf: bool = False) -> str:
    """The draft as one HTML document: form page(s) then the checklist page."""
    env = _env(str(catalog_dir or CATALOG_DIR))
    url = officer_url(base_url, code)
    return _template_for(draft, env).render(
        draft=draft, code=code, officer_url=url, qr=qr_data_uri(url), font_css=font_face_css(), for_pdf=for_pdf)


_pdf_lock = threading.Lock()  # weasyprint/pango are not documented as thread-safe


def render_pdf(draft: DraftContent, code: str, base_url: str, *, catalog_dir: Path | None = None) -> bytes:
    """A4 PDF bytes of ``render_html``, fonts embedded."""
    from weasyprint import HTML

    html = render_html(draft, code, base_url, catalog_dir=catalog_dir, for_pdf=True)
    with _pdf_lock:
        return HTML(string=html, base_url=str(catalog_dir or CATALOG_DIR)).write_pdf()


def render_checklist_text(draft: DraftContent) -> str:
    """The checklist as plain chat text: what to bring, what is missing and how to get it, fee, time, where."""
    lines = [f"Hồ sơ {draft.procedure_name} — giấy tờ cần mang:"]
    for i, c in enumerate(draft.checklist, 1):
        count = f"{c.count:02d} " if c.count else ""
        opt = " (nếu có)" if c.optional else ""
        mark = " — bạn CHƯA CÓ" if c.lacking else (" — điền sẵn trong bản nháp" if c.prefilled else "")
        lines.append(f"{i}. {c.name}: {count}{c.form_vi}{opt}{mark}")
    if draft.lacking:
        lines.append("")
        lines.append("Giấy tờ bạn còn thiếu và cách có:")
        for c in draft.lacking:
            lines.append(f"• {c.name}: {c.how_to_get or 'hỏi cán bộ một cửa để được hướng dẫn.'}")
    lines.append("")
    if draft.fee:
        where = f" (theo quy định của {draft.fee_province})" if draft.fee_province else ""
        lines.append(f"Lệ phí{where}: {draft.fee}")
    if draft.time_limit:
        lines.append(f"Thời hạn giải quyết: {draft.time_limit}")
    if draft.where:
        lines.append(f"Nơi nộp: {draft.where}")
    if draft.online_note:
        lines.append(f"Nộp trực tuyến: {draft.online_note}")
    if draft.unverified:
        lines.append("")
        lines.append("Lưu ý: một số thông tin trên chưa được cán bộ xác minh; bạn kiểm tra lại khi nộp.")
    return "\n".join(lines)
