"""Words for admins: YAML syntax errors in Vietnamese, and value paths as places in the form.

An admin reading ``steps.0.options.0.value: mapping values are not allowed in this context`` has to
know YAML and count from zero; "Bước 1, lựa chọn 1 (value)" and "có dấu ':' trong câu" they can fix.
Used by the admin editor and by ``motcua validate``.
"""
from __future__ import annotations

from collections.abc import Sequence

# The common PyYAML/libyaml problems (a fragment of their English text) → (what is wrong, how to fix it).
# Both the C parser's and the pure-Python parser's wording are listed where they differ.
YAML_PROBLEMS: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed",
     "dấu ':' đặt sai chỗ",
     "có dấu ':' trong câu — đặt câu trong ngoặc kép, ví dụ ask: \"Giờ làm việc: 7:30\""),
    ("tab character", "có ký tự Tab ở đầu dòng",
     "YAML chỉ thụt lề bằng dấu cách: thay Tab bằng dấu cách"),
    ("character '\\t'", "có ký tự Tab ở đầu dòng",
     "YAML chỉ thụt lề bằng dấu cách: thay Tab bằng dấu cách"),
    ("did not find expected key", "thụt lề không khớp với các dòng phía trên",
     "các khóa cùng cấp phải thẳng cột với nhau; kiểm tra số dấu cách đầu dòng"),
    ("expected <block end>", "thụt lề không khớp với các dòng phía trên",
     "các khóa cùng cấp phải thẳng cột với nhau; kiểm tra số dấu cách đầu dòng"),
    ("expected '-' indicator", "mục danh sách thiếu dấu '-' hoặc thụt lề sai",
     "mỗi mục của danh sách bắt đầu bằng '- ' và thẳng cột với các mục khác"),
    ("expected ',' or ']'", "thiếu dấu ']' đóng danh sách",
     "danh sách viết trên một dòng phải đóng bằng ']'; câu có dấu phẩy thì đặt trong ngoặc kép"),
    ("expected ',' or '}'", "thiếu dấu '}' đóng bảng",
     "bảng viết trên một dòng phải đóng bằng '}'; câu có dấu phẩy hoặc ':' thì đặt trong ngoặc kép"),
    ("while scanning a quoted scalar", "thiếu dấu ngoặc kép đóng câu",
     "câu mở bằng ngoặc kép (\" hoặc ') phải đóng bằng đúng dấu đó trên cùng dòng"),
    ("found unexpected end of stream", "thiếu dấu ngoặc kép đóng câu",
     "câu mở bằng ngoặc kép (\" hoặc ') phải đóng bằng đúng dấu đó trên cùng dòng"),
    ("cannot start any token", "câu bắt đầu bằng ký tự đặc biệt (@, `, %, …)",
     "đặt cả câu trong ngoặc kép"),
    ("undefined alias", "câu bắt đầu bằng dấu '*'",
     "đặt cả câu trong ngoặc kép"),
    ("found unknown escape character", "có dấu '\\' không hợp lệ trong ngoặc kép",
     "viết '\\\\' thay cho '\\', hoặc dùng ngoặc đơn"),
    ("expected node content", "thiếu giá trị, hoặc mở ngoặc '[' / '{' mà chưa đóng",
     "viết giá trị sau dấu ':' và đóng ngoặc; câu bắt đầu bằng ký tự đặc biệt thì đặt trong ngoặc kép"),
    ("could not find expected ':'", "thiếu dấu ':' sau tên khóa",
     "mỗi dòng có dạng khóa: giá trị; câu nhiều dòng thì đặt trong ngoặc kép hoặc dùng >-"),
)


def yaml_problem(english: str) -> tuple[str, str]:
    """Vietnamese (problem, hint) for a PyYAML message; unknown messages keep their text with no hint."""
    for fragment, problem, hint in YAML_PROBLEMS:
        if fragment in english:
            return problem, hint
    return (f"không đọc được ({english.strip()})",
            "kiểm tra dòng này và dòng ngay trên: thụt lề, dấu ':', ngoặc và ngoặc kép")


# Names of the lists and keys an admin meets, as the editor's labels call them.
_LISTS = {
    "steps": "Bước", "options": "lựa chọn", "items": "mục", "documents": "Giấy tờ", "legal_basis": "Căn cứ pháp lý",
    "changes": "Thay đổi", "rules": "Quy định", "procedures": "thủ tục", "sources": "nguồn", "fields": "trường",
    "synonyms": "từ đồng nghĩa", "dossier_sets": "Bộ hồ sơ", "when": "điều kiện", "entries": "Mục",
}
_KEYS = {
    "ask": "câu hỏi", "say": "câu trả lời", "explain": "giải thích", "intro": "lời mở đầu", "label": "nhãn",
    "name": "tên", "how_to_get": "nơi xin", "fee": "Lệ phí", "time_limit": "Thời hạn", "authority": "Cơ quan",
    "submission": "Nơi nộp", "province_overrides": "Riêng tỉnh", "result": "Kết quả", "form": "Biểu mẫu", "summary": "Tóm tắt",
}


def _word(key: str) -> str:
    return f"{_KEYS[key]} ({key})" if key in _KEYS else key


def describe_path(path: str | Sequence[str | int]) -> str:
    """``steps.0.options.1.value`` → ``Bước 1, lựa chọn 2 (value)``; ``""`` → ``cả tệp``."""
    parts: list[str | int] = (
        [int(p) if p.isdigit() else p for p in path.split(".") if p] if isinstance(path, str) else list(path))
    if not parts:
        return "cả tệp"
    words: list[tuple[str, bool]] = []      # (text, raw YAML key: shown in brackets after the place)
    i = 0
    while i < len(parts):
        key, nxt = parts[i], parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(key, str) and isinstance(nxt, int):
            words.append((f"{_LISTS.get(key, key)} {nxt + 1}", False))
            i += 2
            continue
        if isinstance(key, int):
            words.append((f"mục {key + 1}", False))
        else:
            words.append((_word(key), key not in _KEYS))
        i += 1
    out = words[0][0]
    for text, raw in words[1:]:
        out += f" ({text})" if raw else f", {text}"
    return out
