"""The composition of rooms one worker runs, built from Settings (no logic here)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.admin.misses import EXAMPLES_TOPIC
from bot.content.cache import load_content_cached
from bot.dossier.cccd_intake import CccdIntake, cccd_decoder
from bot.dossier.codes import new_code
from bot.dossier.documents import DraftDocuments
from bot.dossier.online import record_citizen_filing
from bot.dossier.receipt import ReceiptIntake
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
from bot.runtime.pull import PullDelivery
from bot.runtime.push import PushIntake
from bot.runtime.ratelimit import RateLimiter, SenderLimiter
from bot.runtime.turns import TurnHooks, TurnRunner, utcnow
from bot.runtime.understanding import NluService
from bot.settings import Settings
from bot.storage.db import create_engine
from bot.storage.kv import SharedValues
from bot.storage.repo import Repo
from bot.web.metrics import Metrics

if TYPE_CHECKING:
    from bot.assist.service import AssistService
    from bot.dossier.desk import Desk

def code_maker() -> Callable[[str], str]:
    """Draft codes from the dossier room (unambiguous alphabet, check character)."""
    return lambda pid: new_code(pid)


@dataclass(frozen=True)
class Services:
    """Everything a worker needs, wired together once by `build_services` (frozen: nothing is swapped in later)."""

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
    push: OutboxWorker | None = None          # Telegram/Zalo delivery (bot/runtime/outbox.py)
    channels: dict[str, Any] = field(default_factory=dict)   # push channel adapters by name
    cccd: CccdIntake | None = None            # a CCCD photo → form fields (the runner's extract hook)
    handoff: HandoffService | None = None     # people take over (console, routing, audit)
    desk: Desk | None = None                  # the one-stop desk's drafts and status changes
    assist: AssistService | None = None       # assisted mode at the desk
    redis: Any = None                         # the shared Redis client, when configured

    async def start(self) -> None:
        await self.nlu.start(self.content.current)

    async def close(self) -> None:
        await self.nlu.close()
        await self.repo.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def build_services(settings: Settings, *, clock: Callable[[], dt.datetime] = utcnow,
                   content: ContentStore | None = None) -> Services:
    """Build every room once, in dependency order; nothing is patched or set afterwards."""
    engine = create_engine(settings)
    repo = Repo(engine)
    # A warm worker reuses the validated content of identical files (var/nlu, next to the model cache).
    store = content or ContentStore(load_content_cached(settings.root, settings.path(settings.nlu.model_cache_dir)))
    nlu = NluService(settings)
    locks, pubsub, limiter, redis = _backends(settings)
    effects = Effects(EffectEnv(settings=settings, repo=repo, clock=clock, content=store))
    effects.on(ev.DraftRequested, create_draft)
    effects.on(ev.OnlineFiled, record_citizen_filing)
    effects.on(ev.DataDeletionRequested, delete_citizen_data)

    async def erased(_row: Any, _conv: Any) -> None:   # every worker retrains without the erased labelled messages
        await pubsub.publish(EXAMPLES_TOPIC, {})

    effects.after(ev.DataDeletionRequested, erased)

    from bot.dossier.desk import Desk

    # Desk and handoff write into conversations through the runner built below (late-bound: it exists by then).
    desk = Desk(engine, store, settings, clock, lambda cid, inp: runner.apply(cid, inp))

    async def list_drafts(conversation_id: int) -> tuple[DraftSummary, ...]:
        return await desk.summaries(conversation_id)   # status, official number, the desk's latest note

    metrics = Metrics()
    handoff = HandoffService(settings, repo, store, pubsub, clock, lambda cid, inp: runner.apply(cid, inp))
    handoff.register(effects)
    push = OutboxWorker(repo, clock)
    cccd = CccdIntake(push, store, cccd_decoder())
    runner = TurnRunner(settings, repo, store, nlu, locks, clock=clock, hooks=TurnHooks(
        new_code=code_maker(), extract=cccd, receipt=ReceiptIntake(push, engine, clock), list_drafts=list_drafts, effects=effects.run, wants=effects.wants,
        team_for=handoff.team_for, duty=handoff.duty, commune_of=handoff.commune_of, on_turn=metrics.on_turn,
        communes=handoff.commune_choices, old_communes=handoff.communes.old_names, office=handoff.communes.office,
        limiter=limiter,
        after_apply=push.kick))   # agent replies and notices reach Telegram/Zalo at once (a no-op without them)
    store.subscribe(lambda snap: nlu.retrain(snap))
    from bot.assist.service import AssistService  # assisted mode: the desk's conversations and draft claims

    assist = AssistService(settings, repo, store, runner, clock, desk_commune=handoff.communes.of_team)
    assist.register(effects)
    channels = _push_channels(settings, PushIntake(runner, push), push, DraftDocuments(repo, store, settings, clock),
                              SharedValues(repo, clock))
    return Services(settings=settings, repo=repo, content=store, nlu=nlu, locks=locks, runner=runner,
                    effects=effects, delivery=PullDelivery(runner, repo, clock), pubsub=pubsub, limiter=limiter,
                    metrics=metrics, clock=clock, push=push, channels=channels, cccd=cccd, handoff=handoff,
                    desk=desk, assist=assist, redis=redis)


def _backends(settings: Settings) -> tuple[ConversationLocks, PubSub, RateLimiter, Any]:
    """Locks, pub/sub and the rate limiter: Redis-backed when configured (shared by workers), else in memory."""
    rate, burst = settings.server.sender_rate, settings.server.sender_burst
    if not settings.redis.url:
        return LocalLocks(), MemoryPubSub(), SenderLimiter(rate, burst), None
    from bot.runtime.redis_backend import RedisLocks, RedisPubSub, redis_client

    redis = redis_client(settings.redis.url, settings.redis.max_connections, settings.redis.pool_timeout)
    return RedisLocks(redis), RedisPubSub(redis), SenderLimiter(rate, burst, redis=redis), redis


def _push_channels(settings: Settings, intake: PushIntake, push: OutboxWorker, documents: DraftDocuments,
                   shared: SharedValues) -> dict[str, Any]:
    """Telegram / Zalo adapters that are enabled and have their secrets in the environment."""
    on = settings.channels
    chans: list[Any] = []   # a disabled channel's module is not even imported
    if on.telegram.enabled:
        from bot.channels import telegram

        chans.append(telegram.from_settings(settings, intake, documents))
    if on.zalo_bot.enabled:
        from bot.channels import zalo_bot

        chans.append(zalo_bot.from_settings(settings, intake))   # Zalo Bot cannot send files
    if on.zalo_oa.enabled:
        from bot.channels import zalo_oa

        chans.append(zalo_oa.from_settings(settings, intake, shared, documents))
    out: dict[str, Any] = {}
    for ch in chans:
        if ch is not None:
            push.register(ch)
            out[ch.name] = ch
    return out
