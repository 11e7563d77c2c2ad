"""Commune codes made the official ones (issue 21): the ``vietnam-provinces`` release the project used until now
(2025.10.1) gave 131 of the 3,321 communes and wards of 2025 a code that is not theirs (some swapped: its 1561 is
"Xã Hạ Lang", the National Statistics Office's is "Xã Vinh Quý"). The list is now ``nlu/data/wards_2025.csv``
with the NSO's codes; this moves every stored code of those 131 (only those) so a deployment keeps its settings:
``communes`` rows (and their names, in the official spelling), ``events.commune``, ``drafts.commune``, the daily
report files' scope and the citizen's commune in each conversation's state. The tables below were printed by
``scripts/build_wards_2025.py --remap`` (installed 2025.10.1 matched to the NSO list by province and name).

Downgrade moves the codes back (names keep the official spelling).

Revision ID: 0010_h21codes
Revises: 0009_h21commune
"""
from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from alembic import op

revision = "0010_h21codes"
down_revision = "0009_h21commune"
branch_labels = None
depends_on = None

MOVED = {   # installed 2025.10.1 code → (official code, official name)
    "73": ("82", "Phường Cửa Nam"),
    "130": ("118", "Phường Bồ Đề"),
    "148": ("145", "Phường Long Biên"),
    "167": ("166", "Phường Cầu Giấy"),
    "187": ("199", "Phường Láng"),
    "196": ("226", "Phường Văn Miếu - Quốc Tử Giám"),
    "226": ("229", "Phường Kim Liên"),
    "277": ("292", "Phường Bạch Mai"),
    "304": ("301", "Phường Vĩnh Hưng"),
    "313": ("322", "Phường Tương Mai"),
    "319": ("331", "Phường Hoàng Mai"),
    "331": ("340", "Phường Yên Sở"),
    "424": ("430", "Xã Đa Phúc"),
    "484": ("475", "Xã Thư Lâm"),
    "583": ("577", "Xã Bát Tràng"),
    "646": ("643", "Phường Thanh Liệt"),
    "1537": ("1561", "Xã Vinh Quý"),
    "1558": ("1537", "Xã Lý Quốc"),
    "1561": ("1558", "Xã Hạ Lang"),
    "2143": ("5665", "Xã Văn Lăng"),
    "2674": ("2671", "Phường Cam Đường"),
    "2791": ("2782", "Xã Cao Sơn"),
    "3667": ("3664", "Phường Chiềng An"),
    "4318": ("4309", "Xã Lâm Thượng"),
    "4333": ("4342", "Xã Khánh Hòa"),
    "4591": ("4606", "Xã Trạm Tấu"),
    "4678": ("4681", "Phường Cầu Thia"),
    "4936": ("4930", "Xã Yên Xuân"),
    "5098": ("5092", "Xã Thung Nai"),
    "5794": ("5788", "Xã Phú Lạc"),
    "6016": ("6004", "Xã Quốc Khánh"),
    "6193": ("6211", "Xã Cao Lộc"),
    "6202": ("6196", "Xã Ba Sơn"),
    "6214": ("6124", "Xã Na Sầm"),
    "6421": ("6436", "Xã Thiện Tân"),
    "8035": ("8038", "Xã Chân Mộng"),
    "8161": ("8173", "Xã Quảng Yên"),
    "8215": ("8218", "Xã Chí Tiên"),
    "8380": ("8377", "Xã Vân Bán"),
    "8461": ("8467", "Xã Vạn Xuân"),
    "8497": ("8500", "Xã Xuân Lũng"),
    "8749": ("8746", "Phường Xuân Hòa"),
    "9373": ("9379", "Phường Phù Khê"),
    "9376": ("9370", "Phường Tam Sơn"),
    "9382": ("9385", "Phường Đồng Nguyên"),
    "9793": ("9787", "Xã Liên Minh"),
    "9838": ("9856", "Xã Dương Hòa"),
    "9859": ("9871", "Xã Sơn Đồng"),
    "9922": ("9952", "Xã Phú Cát"),
    "9928": ("9910", "Xã Kiều Phú"),
    "10006": ("10003", "Xã Tây Phương"),
    "10009": ("9982", "Xã Hạ Bằng"),
    "10018": ("10045", "Xã Xuân Mai"),
    "10084": ("10072", "Xã Quảng Bị"),
    "10108": ("10096", "Xã Hòa Phú"),
    "10141": ("10126", "Xã Bình Minh"),
    "10333": ("10342", "Xã Đại Xuyên"),
    "10510": ("10507", "Phường Thành Đông"),
    "10540": ("10891", "Phường Tứ Minh"),
    "10672": ("10837", "Phường Nam Đồng"),
    "10777": ("10792", "Xã An Thành"),
    "10888": ("10903", "Xã Cẩm Giàng"),
    "11341": ("11329", "Phường Ngô Quyền"),
    "11986": ("12004", "Xã Như Quỳnh"),
    "12052": ("12073", "Xã Yên Mỹ"),
    "12220": ("12223", "Xã Triệu Việt Vương"),
    "12478": ("12583", "Xã Tân Tiến"),
    "12841": ("12916", "Xã Bắc Thái Ninh"),
    "13285": ("13318", "Phường Châu Sơn"),
    "13291": ("13285", "Phường Phủ Lý"),
    "13318": ("13291", "Phường Phù Vân"),
    "13666": ("13669", "Phường Nam Định"),
    "13735": ("13708", "Phường Mỹ Lộc"),
    "14599": ("14614", "Xã Khánh Hội"),
    "15115": ("15106", "Xã Nguyệt Ấn"),
    "15118": ("15112", "Xã Kiên Thọ"),
    "15718": ("15715", "Xã Tân Ninh"),
    "16063": ("16072", "Xã Hoa Lộc"),
    "16207": ("16222", "Xã Thanh Quân"),
    "16219": ("16213", "Xã Thanh Phong"),
    "16994": ("17011", "Phường Tây Hiếu"),
    "17152": ("17170", "Xã Quỳnh Sơn"),
    "19165": ("19138", "Xã Phong Nha"),
    "19768": ("19753", "Phường Phú Xuân"),
    "19786": ("19789", "Phường Thuận Hóa"),
    "19810": ("19774", "Phường Kim Long"),
    "19864": ("19858", "Phường Phong Thái"),
    "20023": ("19804", "Phường Hương An"),
    "20152": ("20137", "Xã Chân Mây - Lăng Cô"),
    "20195": ("20194", "Phường Hải Vân"),
    "20224": ("20305", "Phường An Khê"),
    "20872": ("20875", "Xã Lãnh Ngọc"),
    "21289": ("21292", "Xã Sơn Hạ"),
    "21484": ("21523", "Xã Ba Tô"),
    "21862": ("21859", "Xã Đề Gi"),
    "21889": ("21901", "Xã Ngô Mây"),
    "21898": ("21880", "Xã Cát Tiến"),
    "22003": ("22006", "Xã Canh Vinh"),
    "22066": ("22060", "Xã Xuân Cảnh"),
    "22306": ("22303", "Xã Phú Hòa 2"),
    "22408": ("22411", "Phường Bắc Cam Ranh"),
    "22779": ("22780", "Phường Đông Hải"),
    "22858": ("22861", "Xã Xuân Hải"),
    "22868": ("22846", "Xã Vĩnh Hải"),
    "22885": ("22900", "Xã Phước Hà"),
    "22903": ("22888", "Xã Phước Dinh"),
    "22910": ("22909", "Xã Cà Ná"),
    "23098": ("23095", "Xã Hàm Liêm"),
    "23737": ("23938", "Xã Ia Mơ"),
    "24481": ("24472", "Xã Hòa Sơn"),
    "25264": ("25252", "Xã Phú Riềng"),
    "25280": ("25294", "Xã Lộc Thành"),
    "25336": ("25333", "Phường An Lộc"),
    "25453": ("25450", "Xã Nha Bích"),
    "25534": ("27826", "Xã Tân Thạnh"),
    "25807": ("27676", "Xã Thạnh An"),
    "26329": ("26332", "Xã Xuân Quế"),
    "26794": ("26800", "Phường Linh Xuân"),
    "26797": ("26803", "Phường Tam Bình"),
    "26812": ("26809", "Phường Hiệp Bình"),
    "26887": ("26876", "Phường An Nhơn"),
    "26899": ("26898", "Phường Thông Tây Hội"),
    "26902": ("26890", "Phường Hạnh Thông"),
    "27010": ("27019", "Phường Tân Sơn Nhì"),
    "27118": ("27094", "Phường An Khánh"),
    "27160": ("27154", "Phường Bàn Cờ"),
    "27385": ("27364", "Phường Bình Phú"),
    "29752": ("29740", "Xã Song Phú"),
    "29938": ("30157", "Xã Tân Thạnh"),
    "31207": ("31228", "Phường Thuận Hưng"),
    "31212": ("31207", "Phường Thốt Nốt"),
}
RENAMED = {   # same code, the official spelling
    "928": "Xã Thanh Thủy",
    "1501": "Xã Đàm Thủy",
    "8674": "Xã Thanh Thủy",
    "11533": "Phường Hòa Bình",
    "11560": "Phường Thủy Nguyên",
    "23302": "Phường Đăk Bla",
    "24184": "Xã Ea H'Leo",
    "24280": "Xã Cư M'gar",
    "24286": "Xã Ea M'Droh",
    "24412": "Xã M'Drắk",
    "24436": "Xã Cư M'ta",
    "24718": "Xã Đắk Song",
    "25606": "Xã Hòa Hội",
    "25645": "Phường Hòa Thành",
    "27811": "Xã Bình Hòa",
    "27823": "Xã Mộc Hóa",
    "27952": "Xã Hiệp Hòa",
    "27979": "Xã Hòa Khánh",
    "28003": "Xã Lương Hòa",
}


_PARK = "~"   # a moved unique code is parked as "~new" first, so a swap (1561 ↔ 1558) never collides


def _move(table: str, column: str, codes: Mapping[str, str], unique: bool) -> None:
    """One pass over ``table`` (two for a unique column) with ``column`` rewritten through ``codes``."""
    col = sa.column(column, sa.String)
    tbl = sa.table(table, col)
    target = {old: _PARK + new for old, new in codes.items()} if unique else dict(codes)
    op.execute(tbl.update().where(col.in_(list(codes))).values({column: sa.case(target, value=col)}))
    if unique:
        op.execute(tbl.update().where(col.like(_PARK + "%")).values({column: sa.func.substr(col, 2)}))


def _names() -> None:
    """The official spelling of every moved or re-spelt commune a deployment configured."""
    names = {new: name for new, name in MOVED.values()} | RENAMED
    code, name = sa.column("code", sa.String), sa.column("name", sa.String)
    op.execute(sa.table("communes", code, name).update().where(code.in_(list(names)))
               .values(name=sa.case(names, value=code)))


def _states(codes: Mapping[str, str]) -> None:
    """The citizen's commune (and a guessed one, "code" or "code|old name") in each conversation's state."""
    ident, state = sa.column("id", sa.BigInteger), sa.column("state", sa.JSON)
    conversations = sa.table("conversations", ident, state)
    conn, last = op.get_bind(), -1
    while True:
        rows = conn.execute(sa.select(ident, state).where(ident > last).order_by(ident).limit(1000)).all()
        if not rows:
            return
        last = rows[-1][0]
        for row_id, data in rows:
            moved = _moved_state(data, codes)
            if moved is not None:
                conn.execute(conversations.update().where(ident == row_id).values(state=moved))


def _moved_state(data: object, codes: Mapping[str, str]) -> dict[str, object] | None:
    if not isinstance(data, dict):
        return None
    out = dict(data)
    if isinstance(out.get("commune"), str) and out["commune"] in codes:
        out["commune"] = codes[out["commune"]]
    guess = out.get("commune_guess")
    if isinstance(guess, str) and guess.partition("|")[0] in codes:
        head, bar, rest = guess.partition("|")
        out["commune_guess"] = codes[head] + bar + rest
    return out if out != data else None


def _apply(codes: Mapping[str, str]) -> None:
    _move("communes", "code", codes, unique=True)
    _move("daily_report_files", "scope", codes, unique=True)
    _move("events", "commune", codes, unique=False)
    _move("drafts", "commune", codes, unique=False)
    _states(codes)


def upgrade() -> None:
    _apply({old: new for old, (new, _name) in MOVED.items()})
    _names()


def downgrade() -> None:
    _apply({new: old for old, (new, _name) in MOVED.items()})
