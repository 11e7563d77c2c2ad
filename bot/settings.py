"""The one typed settings object: ``config.yml`` < environment ``MOTCUA_<SECTION>__<KEY>``.

Secrets (tokens, signing keys) are read only from the environment, never from the YAML file,
so a committed config can never leak one.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = "http://127.0.0.1:8080"
    workers: int = 1
    max_body_bytes: int = 2 * 1024 * 1024
    max_message_chars: int = 2000
    sender_rate: float = 2.0      # messages per second one sender may keep up…
    sender_burst: int = 15        # …with bursts of this many
    gc_freeze: bool = True        # exempt start-up objects from the cyclic GC (shorter full collections)…
    # …and collect the young generation after this many new objects instead of Python's 700: with dozens of turns
    # in flight, 700 live objects are reached every ~12 turns and each collection walks them all (2 % of the CPU
    # under load); 0 keeps Python's threshold.
    gc_young_threshold: int = 10_000
    # Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For is believed, e.g. ["127.0.0.1"] behind a
    # local nginx. Empty: the peer address is the client, and X-Forwarded-For is ignored (it can be forged).
    trusted_proxies: list[str] = Field(default_factory=list)
    login_failures_per_user: int = 5      # failed staff logins per username…
    login_failures_per_client: int = 10   # …and per client address, in 15 minutes


class DatabaseSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/motcua.sqlite3"
    echo: bool = False
    pool_size: int = 10


class RedisSettings(BaseModel):
    url: str | None = None
    # A worker's connections to Redis. A burst of turns beyond this waits up to pool_timeout seconds for a free one
    # instead of failing (a failure would drop the worker to single-worker locks for a moment).
    max_connections: int = Field(default=200, ge=4)
    pool_timeout: float = Field(default=5.0, gt=0)


class NluSettings(BaseModel):
    backend: Literal["builtin", "placeholder", "rasa"] = "builtin"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout: float = 3.0
    confident: float = 0.55
    margin: float = 0.12
    model_cache_dir: str = "var/nlu"
    # Train in a short-lived child process: scikit-learn (~100 MB) is loaded there, never in the worker that
    # serves the model, also when a publish retrains it.
    train_apart: bool = True


class ContentSettings(BaseModel):
    root: str = str(PROJECT_ROOT)
    province: str | None = None
    commune: str | None = None    # the commune receiving dossiers, as written after "Ủy ban nhân dân": "xã Ea Tu"
    assistant_name: str = "Trợ lý Một cửa"   # the only name citizens see (chat, drafts, PDF)
    # The one-stop desk's opening hours as citizens should read them (set per commune; unset: the bot says
    # it does not know them rather than guess).
    office_hours: str | None = None


class TelegramSettings(BaseModel):
    enabled: bool = False
    mode: Literal["webhook", "polling"] = "webhook"
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    webhook_path: str = "/webhooks/telegram"


class ZaloBotSettings(BaseModel):
    enabled: bool = False
    api_base_url: str = "https://bot-api.zaloplatforms.com"
    webhook_path: str = "/webhooks/zalo-bot"


class ZaloOASettings(BaseModel):
    enabled: bool = False
    api_base_url: str = "https://openapi.zalo.me"
    oauth_base_url: str = "https://oauth.zaloapp.com"
    webhook_path: str = "/webhooks/zalo-oa"
    app_id: str | None = None


class MediaSettings(BaseModel):
    """Photos and files citizens send through Zalo are fetched from the URL in the event: only from these hosts.

    An entry allows the host itself and its subdomains. Defaults: Zalo's media CDNs as seen in inbound URLs
    (photo-stal-*.zdn.vn / *.zadn.vn photos, file-stal-*.dlfl.vn files that redirect via *.flchat.vn to *.dlmd.me —
    third-party code, not official docs: add a host here if a real event is refused). Private, loopback and
    link-local addresses are refused after DNS resolution, on every redirect hop.
    """

    allowed_hosts: list[str] = Field(default_factory=lambda: ["zdn.vn", "zadn.vn", "dlfl.vn", "flchat.vn", "dlmd.me"])
    allow_private_addresses: bool = False   # tests only: lets the local fake servers (127.0.0.1) serve media
    max_bytes: int = 10 * 1024 * 1024
    timeout_seconds: float = 15.0
    max_redirects: int = 3


class ChannelSettings(BaseModel):
    rest: bool = True
    webchat: bool = True
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo_bot: ZaloBotSettings = Field(default_factory=ZaloBotSettings)
    zalo_oa: ZaloOASettings = Field(default_factory=ZaloOASettings)
    media: MediaSettings = Field(default_factory=MediaSettings)


class HandoffRoute(BaseModel):
    """Send conversations on these channels and/or about these procedures to ``team`` (first match wins)."""

    team: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    channels: list[str] = Field(default_factory=list)     # empty: every channel
    procedures: list[str] = Field(default_factory=list)   # shell patterns, e.g. "dat-dai.*"; empty: every procedure


class HandoffSettings(BaseModel):
    default_team: str = "mac-dinh"
    routes: list[HandoffRoute] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    working_hours: str = "Mon-Fri 07:30-11:30,13:30-17:00"
    telegram_group_chat_id: str | None = None


class PrivacySettings(BaseModel):
    retention_days: int = 180
    privacy_url: str = "/privacy"


class ReportSettings(BaseModel):
    """The scheduled daily reports: each commune's and the province's XLSX of the day before, sent at ``daily_at``
    (the handoff time zone) to the commune team's Telegram group and to ``province_telegram_chat_id``, and kept
    for download on the admin page."""

    daily: bool = True
    daily_at: str = Field(default="06:30", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    province_telegram_chat_id: str | None = None   # unset: the handoff's Telegram group, if any
    check_every_s: float = 60.0


class LoggingSettings(BaseModel):
    level: str = "INFO"
    json_format: bool = Field(default=False, alias="json")


class Secrets(BaseModel):
    """Only from the environment: MOTCUA_SECRETS__TELEGRAM_TOKEN etc."""

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_bot_webhook_secret: SecretStr | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_secret_key: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_access_token: SecretStr | None = None
    session_key: SecretStr | None = None   # unused since sessions are server-side (kept so old envs still load)


class _YamlSource(PydanticBaseSettingsSource):
    """Reads config.yml; refuses a ``secrets`` section so tokens never land in the repository."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None):
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        # libyaml's parser when PyYAML has it, as for the content files: the same data, ~0.4 ms instead of ~7 ms
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(self.path.read_text(encoding="utf-8"), Loader=loader) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: config must be a mapping")  # noqa: TRY004 — a config error, as below
        if "secrets" in data:
            raise ValueError(f"{self.path}: secrets must come from the environment (MOTCUA_SECRETS__...), not the file")
        return data


class Settings(BaseSettings):
    """All configuration. Build with `load_settings`."""

    model_config = SettingsConfigDict(env_prefix="MOTCUA_", env_nested_delimiter="__", extra="ignore",
                                      populate_by_name=True)

    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    nlu: NluSettings = Field(default_factory=NluSettings)
    content: ContentSettings = Field(default_factory=ContentSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    secrets: Secrets = Field(default_factory=Secrets)

    _yaml_path: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = os.environ.get("MOTCUA_CONFIG")
        yaml_path = Path(path) if path else PROJECT_ROOT / "config.yml"
        return (init_settings, env_settings, _YamlSource(settings_cls, yaml_path))

    @property
    def root(self) -> Path:
        return Path(self.content.root)

    def path(self, relative: str) -> Path:
        """A path relative to the project root (for var/ files)."""
        p = Path(relative)
        return p if p.is_absolute() else self.root / p


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``config`` (or MOTCUA_CONFIG, or ./config.yml), the environment, then ``overrides``."""
    if config is not None:
        os.environ["MOTCUA_CONFIG"] = str(config)
    return Settings(**overrides)
