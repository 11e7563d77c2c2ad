"""`motcua doctor`: checks a deployment and tells the operator, in Vietnamese, what is wrong and how to fix it.

Each check returns a `Check` (OK, CẢNH BÁO or LỖI, what was found, how to fix it). Nothing is changed: the
database is only read (Alembic's version table), Redis only pinged, the platforms only asked (with ``--online``)
who the bot is and where its webhook points. Secrets are never printed, nor passwords inside URLs.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.settings import Settings

Status = Literal["ok", "warn", "error"]
LABEL: dict[Status, str] = {"ok": "OK", "warn": "CẢNH BÁO", "error": "LỖI"}
TIMEOUT = 5.0


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, its status, what was found and (when not OK) how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not an SQLAlchemy-style URL: print only its scheme
        return url.split("://", 1)[0] + "://…"


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0][:200] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {text}" if text else type(cause).__name__


def _heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    from bot.storage.migrate import alembic_config

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def check_database(settings: Settings) -> Check:
    """Reachable, and its Alembic revision is the code's head (workers run with --no-migrate in deploy/)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = "Cơ sở dữ liệu"
    url = settings.database.url
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        path = Path(u.database)
        path = path if path.is_absolute() else settings.root / path
        if not path.exists():
            return Check(name, "error", f"chưa có tệp SQLite {path}.",
                         "Chạy `motcua db upgrade` để tạo và nâng cấp cơ sở dữ liệu.")
        url = u.set(database=str(path)).render_as_string(hide_password=False)
    engine = create_async_engine(url, connect_args={"timeout": TIMEOUT} if u.get_backend_name() != "sqlite" else {})
    try:
        async with engine.connect() as conn:
            current = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the operator's to fix
        return Check(name, "error", f"không kết nối được {_safe_url(settings.database.url)} ({_reason(exc)}).",
                     "Kiểm tra PostgreSQL đang chạy (systemctl status postgresql), tài khoản, mật khẩu và "
                     "MOTCUA_DATABASE__URL trong /etc/motcua/motcua.env.")
    finally:
        await engine.dispose()
    heads = _heads()
    if set(current) != set(heads):
        have = ", ".join(current) or "chưa có bảng nào"
        return Check(name, "error", f"kết nối được nhưng chưa nâng cấp: đang ở {have}, mã nguồn cần {', '.join(heads)}.",
                     "Chạy `motcua db upgrade` (hoặc `systemctl restart motcua-migrate`) rồi khởi động lại các worker.")
    return Check(name, "ok", f"kết nối được {_safe_url(settings.database.url)}, đã nâng cấp tới {', '.join(heads)}.")


async def check_redis(settings: Settings) -> Check:
    """Pinged when configured; several workers without Redis would not share locks, events or rate limits."""
    name = "Redis"
    url = settings.redis.url
    if not url:
        if settings.server.workers > 1:
            return Check(name, "error", f"server.workers = {settings.server.workers} nhưng chưa cấu hình Redis.",
                         "Đặt MOTCUA_REDIS__URL=redis://127.0.0.1:6379/0: nhiều worker cần Redis để dùng chung khoá, "
                         "sự kiện và giới hạn tốc độ.")
        return Check(name, "ok", "không dùng (một worker; khoá và sự kiện trong tiến trình).")
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        return Check(name, "error", f"không kết nối được {_safe_url(url)} ({_reason(exc)}).",
                     "Khởi động Redis (systemctl start redis-server) hoặc sửa MOTCUA_REDIS__URL.")
    finally:
        await client.aclose()
    return Check(name, "ok", f"trả lời PING tại {_safe_url(url)}.")


def check_base_url(settings: Settings) -> Check:
    """Links in messages (the draft PDF, privacy) and the webhooks need a public HTTPS address."""
    from urllib.parse import urlsplit

    name = "Địa chỉ công khai (server.base_url)"
    url = settings.server.base_url
    parts = urlsplit(url)
    fix = "Đặt MOTCUA_SERVER__BASE_URL=https://<tên miền của xã/tỉnh> (địa chỉ nginx phục vụ bằng HTTPS)."
    if parts.scheme != "https":
        return Check(name, "error", f"{url} không phải HTTPS: Telegram/Zalo không gửi webhook tới đó và "
                                    "đường dẫn hồ sơ gửi cho công dân sẽ không an toàn.", fix)
    if parts.hostname in (None, "", "localhost", "127.0.0.1", "::1"):
        return Check(name, "error", f"{url} không truy cập được từ Internet.", fix)
    return Check(name, "ok", f"{url}.")


# (channel, settings attribute, token secret, webhook secret, env names)
_CHANNELS = (
    ("Telegram", "telegram", "telegram_token", "telegram_webhook_secret"),
    ("Zalo Bot", "zalo_bot", "zalo_bot_token", "zalo_bot_webhook_secret"),
    ("Zalo OA", "zalo_oa", "zalo_oa_secret_key", None),
)


def check_channels(settings: Settings) -> list[Check]:
    """Each enabled push channel has its token and (in webhook mode) the secret that authenticates its webhook."""
    out = []
    for label, attr, token, secret in _CHANNELS:
        conf = getattr(settings.channels, attr)
        if not conf.enabled:
            continue
        name = f"Kênh {label}"
        missing = [f"MOTCUA_SECRETS__{s.upper()}" for s in (token, secret)
                   if s and getattr(settings.secrets, s) is None
                   and not (s == secret and getattr(conf, "mode", "webhook") == "polling")]
        if attr == "zalo_oa" and settings.secrets.zalo_oa_access_token is None \
                and settings.secrets.zalo_oa_refresh_token is None:   # nothing to send with
            missing.append("MOTCUA_SECRETS__ZALO_OA_REFRESH_TOKEN")
        if missing:
            out.append(Check(name, "error", f"đã bật nhưng thiếu {', '.join(missing)}.",
                             f"Thêm {', '.join(m + '=…' for m in missing)} vào /etc/motcua/motcua.env (quyền 0600), "
                             f"hoặc tắt kênh: MOTCUA_CHANNELS__{attr.upper()}__ENABLED=false."))
        else:
            out.append(Check(name, "ok", "đã bật, đủ token và bí mật webhook."))
    return out


async def _post_json(url: str, body: dict[str, Any] | None = None) -> Any:
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session, \
            session.post(url, json=body or {}) as resp:
        return await resp.json(content_type=None)


async def check_telegram_online(settings: Settings, post: Callable[..., Awaitable[Any]] = _post_json) -> list[Check]:
    """getMe (is the token valid?) and getWebhookInfo (does Telegram send updates to our webhook?)."""
    tg, tok = settings.channels.telegram, settings.secrets.telegram_token
    if not tg.enabled or tok is None:
        return []
    base = f"{tg.api_base_url}{tok.get_secret_value()}"
    try:
        me = await post(f"{base}/getMe")
        info = await post(f"{base}/getWebhookInfo") if tg.mode == "webhook" else None
    except Exception as exc:  # noqa: BLE001 - the URL holds the token: print only the kind of error
        return [Check("Telegram (trực tuyến)", "error", f"không gọi được Bot API ({type(exc).__name__}).",
                      "Kiểm tra máy chủ ra được Internet tới api.telegram.org (tường lửa, proxy) và "
                      "channels.telegram.api_base_url.")]
    if not isinstance(me, dict) or not me.get("ok"):
        return [Check("Telegram (trực tuyến)", "error", "Bot API từ chối token (getMe không thành công).",
                      "Lấy lại token ở @BotFather (/token) và đặt MOTCUA_SECRETS__TELEGRAM_TOKEN.")]
    out = [Check("Telegram (trực tuyến)", "ok", f"token hợp lệ: @{me['result'].get('username', '?')}.")]
    if info is None:
        return out
    want = settings.server.base_url.rstrip("/") + tg.webhook_path
    got = (info.get("result") or {}).get("url", "") if isinstance(info, dict) else ""
    if got != want:
        out.append(Check("Webhook Telegram", "error", f"Telegram đang gửi tới {got or '(chưa đặt webhook)'}, "
                                                      f"không phải {want}.",
                         f"Chạy `motcua telegram set-webhook {want}`."))
    else:
        err = (info.get("result") or {}).get("last_error_message")
        pending = (info.get("result") or {}).get("pending_update_count", 0)
        out.append(Check("Webhook Telegram", "warn" if err else "ok",
                         f"{want}, {pending} cập nhật đang chờ" + (f"; lỗi gần nhất: {err}" if err else "") + ".",
                         "Xem nhật ký nginx và worker (journalctl -u 'motcua@*') quanh thời điểm lỗi." if err else ""))
    return out


async def check_zalo_bot_online(settings: Settings, post: Callable[..., Awaitable[Any]] = _post_json) -> list[Check]:
    """getMe against the Zalo Bot platform: the token is valid."""
    zb, tok = settings.channels.zalo_bot, settings.secrets.zalo_bot_token
    if not zb.enabled or tok is None:
        return []
    try:
        me = await post(f"{zb.api_base_url.rstrip('/')}/bot{tok.get_secret_value()}/getMe")
    except Exception as exc:  # noqa: BLE001
        return [Check("Zalo Bot (trực tuyến)", "error", f"không gọi được API ({type(exc).__name__}).",
                      "Kiểm tra máy chủ ra được Internet và channels.zalo_bot.api_base_url.")]
    if not isinstance(me, dict) or not me.get("ok"):
        return [Check("Zalo Bot (trực tuyến)", "error", "API từ chối token (getMe không thành công).",
                      "Lấy lại token trong Zalo Bot Manager và đặt MOTCUA_SECRETS__ZALO_BOT_TOKEN.")]
    return [Check("Zalo Bot (trực tuyến)", "ok", "token hợp lệ.")]


ENV_FILE = Path("/etc/motcua/motcua.env")   # deploy/systemd: EnvironmentFile= of every unit


def check_env_file(path: Path = ENV_FILE) -> list[Check]:
    """The file holding the secrets must not be readable by other accounts of the machine (mode 0600)."""
    if not path.exists():
        return []
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return [Check("Tệp bí mật", "error", f"{path} có quyền {mode:o}: tài khoản khác trên máy đọc được token.",
                      f"Chạy `chmod 600 {path}` (chủ sở hữu root).")]
    return [Check("Tệp bí mật", "ok", f"{path} chỉ chủ sở hữu đọc được ({mode:o}).")]


def check_fonts() -> Check:
    """The PDF draft embeds Be Vietnam Pro from the fontpkg package; without it Vietnamese marks land off letters."""
    name = "Phông chữ cho bản PDF"
    fix = "Cài lại gói: /opt/motcua/.venv/bin/pip install --force-reinstall fontpkg-be-vietnam-pro"
    try:
        from bot.dossier.render import font_files

        files = font_files()
    except ImportError as exc:
        return Check(name, "error", f"thiếu gói fontpkg-be-vietnam-pro ({exc}).", fix)
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        return Check(name, "error", f"thiếu tệp {', '.join(missing)}.", fix)
    return Check(name, "ok", f"Be Vietnam Pro ({len(files)} kiểu) tại {next(iter(files.values())).parent}.")


def check_content(settings: Settings) -> tuple[Check, Any]:
    """The catalog and flows load (a worker refuses to start otherwise); returns the snapshot for the NLU check."""
    from bot.content.loader import load_content
    from bot.content.yamlsrc import ContentErrors

    name = "Nội dung (thủ tục, luồng hội thoại)"
    try:
        snap = load_content(settings.root)
    except ContentErrors as exc:
        first = "; ".join(str(e) for e in exc.errors[:3])
        return Check(name, "error", f"{len(exc.errors)} lỗi, ví dụ: {first}.",
                     f"Chạy `motcua validate --root {settings.root}` để xem đủ các lỗi và sửa tệp YAML."), None
    except OSError as exc:
        return Check(name, "error", f"không đọc được {settings.root} ({_reason(exc)}).",
                     "Kiểm tra content.root (MOTCUA_CONTENT__ROOT) trỏ tới thư mục có procedures_catalog/ và flows/."), None
    return Check(name, "ok", f"{len(snap.procedures)} thủ tục, {len(snap.flows)} luồng (phiên bản {snap.version})."), snap


def check_nlu(settings: Settings, snapshot: Any) -> Check:
    """The built-in model's cache for the shipped content: without it every worker trains at start-up (seconds)."""
    name = "Mô hình NLU"
    if settings.nlu.backend != "builtin":
        return Check(name, "ok", f"backend {settings.nlu.backend} (không dùng bộ nhớ đệm mô hình).")
    cache = settings.path(settings.nlu.model_cache_dir)
    if cache.exists() and not os.access(cache, os.W_OK):
        return Check(name, "error", f"thư mục {cache} không ghi được: worker không lưu được mô hình sau khi huấn luyện.",
                     "Cấp quyền ghi cho tài khoản chạy motcua, hoặc đặt MOTCUA_NLU__MODEL_CACHE_DIR=/var/lib/motcua/nlu.")
    if snapshot is None:
        return Check(name, "warn", "chưa kiểm tra được vì nội dung lỗi.", "Sửa lỗi nội dung trước.")
    from bot.content.knowledge import knowledge_items, labels
    from nlu.builtin import BuiltinParser
    from nlu.training import default_training_set

    path = BuiltinParser.cache_path(default_training_set(knowledge_items(snapshot), labels(snapshot)), cache)
    if not path.exists():
        return Check(name, "warn", f"chưa có mô hình đã huấn luyện trong {cache}: mỗi worker sẽ tự huấn luyện khi "
                                   "khởi động (chậm hơn vài giây).",
                     f"Chạy `motcua nlu train --cache {cache}` sau mỗi lần cài bản mới.")
    return Check(name, "ok", f"đã có {path.name}.")


async def run_checks(settings: Settings, *, online: bool = False) -> list[Check]:
    """Every check, in the order an operator fixes things: storage first, then the public side, then content."""
    checks = [await check_database(settings), await check_redis(settings), check_base_url(settings)]
    checks += check_channels(settings) + check_env_file()
    if online:
        checks += await check_telegram_online(settings)
        checks += await check_zalo_bot_online(settings)
    checks.append(check_fonts())
    content, snap = await asyncio.to_thread(check_content, settings)
    checks += [content, await asyncio.to_thread(check_nlu, settings, snap)]
    return checks


def render(checks: list[Check]) -> str:
    """The report the operator reads: one line per check, the fix indented under it, a summary last."""
    lines = []
    for c in checks:
        lines.append(f"[{LABEL[c.status]}] {c.name}: {c.detail}")
        if c.fix and c.status != "ok":
            lines.append(f"    Cách sửa: {c.fix}")
    errors = sum(c.status == "error" for c in checks)
    warns = sum(c.status == "warn" for c in checks)
    lines.append(f"Kết quả: {len(checks) - errors - warns} OK, {warns} cảnh báo, {errors} lỗi."
                 + ("" if errors else " Triển khai sẵn sàng."))
    return "\n".join(lines)
