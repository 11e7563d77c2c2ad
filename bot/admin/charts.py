"""Server-side SVG bar charts: no script, labels escaped, readable without a chart library."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, width: int = 560, bar_h: int = 22,
              label_w: int = 220) -> str:
    """Horizontal bars, one per ``(label, value)``; values printed at the end of each bar."""
    top = 28
    height = top + max(1, len(items)) * (bar_h + 6) + 8
    peak = max((v for _, v in items), default=0) or 1
    span = width - label_w - 60
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
              f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'),
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" font-size="12">Chưa có số liệu</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_h + 6)
        w = max(1.0, span * (value / peak)) if value else 0.0
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h * 0.7:.1f}" font-size="12" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#2f6fb0"/>')
        num = f"{value:g}"
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="12">{escape(num)}</text>')
    parts.append("</svg>")
    return "".join(parts)
