"""The composition of rooms one worker runs, built from Settings (no logic here)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from bot.content.loader import load_content
from bot.dossier.codes import new_code
from bot.dossier.service import create_draft
from bot.engine import DraftSummary
from bot.engine import events as ev
from bot.handoff.service import HandoffService
from bot.privacy.deletion import delete_citizen_data
from bot.runtime.content import ContentStore
from bot.runtime.effects import EffectEnv, Effects
from bot.runtime.locks import ConversationLocks, LocalLocks
from bot.runtime.outbox import OutboxWorker
from bot.runtime.pubsub import MemoryPubSub, PubSub
from bot.runtime.ratelimit import MemoryRateLimiter, RateLimiter
from bot.runtime.pull import PullDelivery
from bot.runtime.turns import TurnRunner, utcnow
from bot.runtime.understanding import NluService
from bot.settings import Settings
from bot.storage.db import create_engine
from bot.storage.repo import Repo
from bot.web.metrics import Metrics

def code_maker() -> Callable[[str], str]:
    """Draft codes from the dossier room (unambiguous alphabet, check character)."""
    return lambda pid: new_code(pid)


@dataclass
class Services:
    """Everything a worker needs, wired together."""

    settings: Settings
    repo: Repo
    content: ContentStore
    nlu: NluService
    locks: ConversationLocks
    runner: TurnRunner
    effects: Effects
    delivery: PullDelivery
    pubsub: PubSub
    limiter: RateLimiter
    metrics: Metrics
    clock: Callable[[], dt.datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)
    push: OutboxWorker | None = None          # Telegram/Zalo delivery (bot/runtime/outbox.py)
    channels: dict[str, Any] = field(default_factory=dict)   # push channel adapters by name

    async def start(self) -> None:
        await self.nlu.start(self.content.current)

    async def close(self) -> None:
        await self.nlu.close()
        await self.repo.engine.dispose()
        redis = self.extras.get("redis")
        if redis is not None:
            await redis.aclose()


def build_services(settings: Settings, *, clock: Callable[[], dt.datetime] = utcnow,
                   content: ContentStore | None = None) -> Services:
    engine = create_engine(settings)
    repo = Repo(engine)
    store = content or ContentStore(load_content(settings.root))
    nlu = NluService(settings)
    extras: dict[str, Any] = {}
    locks: ConversationLocks
    pubsub: PubSub
    limiter: RateLimiter
    rate, burst = settings.server.sender_rate, settings.server.sender_burst
    if settings.redis.url:
        from redis.asyncio import Redis

        from bot.runtime.redis_backend import RedisLocks, RedisPubSub
        from bot.runtime.ratelimit import RedisRateLimiter

        redis = Redis.from_url(settings.redis.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        extras["redis"] = redis
        locks, pubsub, limiter = RedisLocks(redis), RedisPubSub(redis), RedisRateLimiter(redis, rate, burst)
    else:
        locks, pubsub, limiter = LocalLocks(), MemoryPubSub(), MemoryRateLimiter(rate, burst)
    effects = Effects(EffectEnv(settings=settings, repo=repo, clock=clock, content=store))
    effects.on(ev.DraftRequested, create_draft)
    effects.on(ev.DataDeletionRequested, delete_citizen_data)

    from bot.dossier.desk import Desk

    desk = Desk(engine, store, settings, clock, lambda cid, inp: runner.apply(cid, inp))
    extras["desk"] = desk

    async def list_drafts(conversation_id: int) -> tuple[DraftSummary, ...]:
        return await desk.summaries(conversation_id)   # status, official number, the desk's latest note

    metrics = Metrics()
    handoff = HandoffService(settings, repo, store, pubsub, clock, lambda cid, inp: runner.apply(cid, inp))
    handoff.register(effects)
    extras["handoff"] = handoff
    runner = TurnRunner(settings, repo, store, nlu, locks, clock=clock, new_code=code_maker(), limiter=limiter,
                        on_turn=metrics.on_turn,
                        list_drafts=list_drafts, effects=effects.run, wants=effects.wants,
                        team_for=handoff.team_for, duty=handoff.duty)
    store.subscribe(lambda snap: nlu.retrain(snap))
    from bot.assist.service import AssistService   # assisted mode: the desk's conversations and draft claims

    assist = AssistService(settings, repo, store, runner, clock)
    assist.register(effects)
    extras["assist"] = assist
    push = OutboxWorker(repo, clock)
    channels = _push_channels(settings, runner, push)
    if channels:
        _kick_after_apply(runner, push)
    decoder = _cccd_decoder()
    if decoder is not None and runner.extract is None:
        from bot.runtime.outbox import attachment_extractor

        runner.extract = attachment_extractor(push, store, decoder)
    return Services(settings=settings, repo=repo, content=store, nlu=nlu, locks=locks, runner=runner,
                    effects=effects, delivery=PullDelivery(runner), pubsub=pubsub, limiter=limiter, metrics=metrics,
                    clock=clock, extras=extras, push=push, channels=channels)


def _push_channels(settings: Settings, runner: TurnRunner, push: OutboxWorker) -> dict[str, Any]:
    """Telegram / Zalo adapters that are enabled and have their secrets in the environment."""
    from bot.channels import telegram, zalo_bot, zalo_oa
    from bot.runtime.outbox import DraftDocuments

    documents = DraftDocuments(runner.repo, runner.content, settings, runner.clock)
    out: dict[str, Any] = {}
    for mod in (telegram, zalo_bot, zalo_oa):
        ch = (mod.from_settings(settings, runner, push) if mod is zalo_bot   # Zalo Bot cannot send files
              else mod.from_settings(settings, runner, push, documents))
        if ch is not None:
            push.register(ch)
            out[ch.name] = ch
    return out


def _cccd_decoder() -> Callable[[bytes, Any], tuple[dict[str, str], str | None]] | None:
    """CCCD photo → (form fields, hint) with the dossier room's QR decoder."""
    try:
        from bot.dossier.cccd import cccd_to_fields, decode_cccd
    except ImportError:  # pragma: no cover - zxing-cpp/Pillow missing
        return None

    def run(data: bytes, proc: Any) -> tuple[dict[str, str], str | None]:
        got = decode_cccd(data)
        if got.hint is not None:
            return {}, got.hint
        if proc is None or proc.form is None:
            return {}, None
        return dict(cccd_to_fields(got, list(proc.form.fields))), None   # type: ignore[arg-type]

    return run


def _kick_after_apply(runner: TurnRunner, push: OutboxWorker) -> None:
    """Agent replies and notices (`runner.apply`) reach Telegram/Zalo at once, not at the next loop tick."""
    apply = runner.apply

    async def apply_then_push(conversation_id: int, inp: Any) -> Any:
        turn = await apply(conversation_id, inp)
        push.kick()
        return turn

    runner.apply = apply_then_push  # type: ignore[method-assign]
