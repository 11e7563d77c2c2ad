"""Put the diacritics back on a Vietnamese person's name typed without them ("tran minh khoi" → "Trần Minh Khôi").

A name typed without any diacritic is read syllable by syllable: the family name against the common family names,
the middle syllables against common middle names, the last against common given names — each folded syllable to
its most frequent written form in names. A syllable not in the tables stays as typed, so nothing is invented; the
citizen sees the name on the review and can correct it there.
"""
from __future__ import annotations

from nlu.normalize import fold


def _table(text: str) -> dict[str, str]:
    return {fold(w.lower()): w for w in text.split()}


SURNAMES = _table(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Trương Đoàn Lâm Mai Hà Cao "
    "Lưu Lương Thái Tôn Chu Quách Tạ Kiều Tăng Vương La Khúc Nông Hứa Triệu Âu Giang Đào Tống Thạch Lục Mạc Văn "
    "Phùng Nghiêm Lại Hầu Đồng Kim Châu Lã Mẫn Diệp Bạch Ông Đàm Hoàng Từ Quan Yên Sầm Lò Vi Hoàng Tiêu Ninh Doãn"
)
MIDDLE = _table(
    "Văn Thị Đức Hữu Ngọc Thanh Quốc Xuân Minh Thu Kim Bảo Gia Tuấn Anh Đình Công Trọng Quang Mạnh Khánh Hồng Thủy "
    "Mỹ Như Phương Thùy Hoài Thế Tiến Hải Trung Nhật Duy Diệu Bích Cẩm Thúy Tường Ánh Vĩnh Hoàng Phúc Khắc Đăng Bá "
    "Chí Trí Tấn Thành Hoàn Xuân Lệ Mai Yến Huyền Tuyết Thảo Uyên Nguyên Trúc Tú Viết Hùng Sỹ Sĩ Thái Lan Hương Ngân"
)
GIVEN = _table(
    "An Anh Bình Chi Cường Dũng Đạt Duy Giang Hà Hải Hạnh Hằng Hiếu Hoa Hoài Hùng Hương Huy Khang Khoa Khôi Lan Linh "
    "Loan Long Mai Nam Nga Ngân Nhi Nhung Phong Phúc Phương Quân Quỳnh Sơn Tâm Thảo Thắng Thanh Thu Thủy Tiến Trang "
    "Trung Tú Tuấn Tùng Uyên Việt Vinh Vy Yến Đông Hậu Hiền Hoàn Huệ Khải Kiệt Liên Lộc Luân Ly My Nghĩa Ngọc Nguyệt "
    "Nhân Nhật Oanh Phát Phú Quang Quý Sang Tài Thịnh Thơ Thông Thuận Thương Tín Toàn Trinh Trúc Trí Tuyết Vân Xuân "
    "Ý Hào Hoàng Lâm Tân Thiện Châu Diễm Diệp Diệu Huyền Khuê Như Quyên Sen Sương Thắm Thoa Trâm Vi Xuyến Bảo Đức "
    "Hiệp Hưng Kha Khánh Lực Minh Nhàn Phượng Tâm Thành Thư Tiên Tuyền Vũ Vượng Yên Đào Điệp Đăng Định Hân "
    "Hiển Hữu Kỳ Lợi Mạnh Mến Na Nguyên Nhẫn Nhi Như Phi Quế Sâm Sinh Thái Thạch Thiên Thủy Thy Tình Trọng Tường "
    "Út Văn Vĩ Vỹ Dương Đạo Chiến Công Cúc Dung Duyên Đào Giao Hạ Hiên Hồng Khôi Lành Lệ Liễu Mận Mơ Nụ Pháp "
    "Quốc Tấn Thanh Thắm Thuần Thủy Trường Tuệ Vinh"
)


def restore_name(name: str) -> str:
    """``name`` (title-cased, words separated by one space) with diacritics, when it was typed without any."""
    if not name.isascii():
        return name
    words = name.split(" ")
    out: list[str] = []
    for i, w in enumerate(words):
        key = w.lower()
        first = (SURNAMES if i == 0 else GIVEN if i == len(words) - 1 else MIDDLE)
        rest = (MIDDLE, GIVEN, SURNAMES) if i == 0 else (MIDDLE, SURNAMES) if i == len(words) - 1 else (GIVEN, SURNAMES)
        out.append(next((t[key] for t in (first, *rest) if key in t), w))
    return " ".join(out)


__all__ = ["restore_name"]
