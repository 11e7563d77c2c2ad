"""Schema of the guided online filing (``flows/_online.yml``): the steps a citizen follows on the national public
service portal or the VNeID app after the review, as data.

One shared list of steps (``steps``) serves every procedure that can be filed online (catalog
``submission.online: full | partial``); ``procedures.<id>`` overrides a step's text for one procedure or skips
steps that do not apply. Every step names its sources (``sources`` ids of the file) or says ``verified: false``,
like every other fact. Texts may use ``{national_code}``, ``{official_name}``, ``{name}`` and ``{fee}``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.content.catalog import Procedure, ProcedureId, Slug, Source
from bot.content.placed import PlacedError

ONLINE_FILE = "_online.yml"
ONLINE_LEVELS = ("full", "partial")

# What a step shows after its text: the form values one per message, the documents to attach, the fee.
Show = Literal["fields", "documents", "fee"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepOverride(_Strict):
    """What a step says and where that was read; alone, a procedure's own text for a shared step."""

    say: str = Field(min_length=1)
    sources: tuple[str, ...] = ()
    verified: bool = True
    note: str | None = Field(default=None, description="What is uncertain, for the admin (never shown to citizens)")

    @model_validator(mode="after")
    def _needs_source_or_flag(self) -> StepOverride:
        if self.verified and not self.sources:
            raise ValueError("bước đã xác minh phải ghi nguồn (sources), nếu chưa có nguồn hãy đặt verified: false")
        return self


class OnlineStep(StepOverride):
    """One step of the walk: a short title, what to do (``say``), and what it shows after its text."""

    id: Slug
    title: str = Field(min_length=1, max_length=60)
    show: Show | None = None


class ProcedureOnline(_Strict):
    """What differs for one procedure: steps skipped, steps said differently."""

    skip: tuple[Slug, ...] = ()
    steps: dict[Slug, StepOverride] = Field(default_factory=dict)


class OnlineGuide(_Strict):
    """The whole file."""

    sources: tuple[Source, ...] = ()
    steps: tuple[OnlineStep, ...] = Field(min_length=1)
    procedures: dict[ProcedureId, ProcedureOnline] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> OnlineGuide:
        ids = [s.id for s in self.steps]
        known = {s.id for s in self.sources}
        for i, s in enumerate(self.steps):
            if s.id in ids[:i]:
                raise PlacedError(f"mã bước bị trùng: {s.id}", ("steps", i, "id"))
            for j, src in enumerate(s.sources):
                if src not in known:
                    raise PlacedError(f"nguồn '{src}' không có trong danh sách sources của tệp", ("steps", i, "sources", j))
        for pid, po in self.procedures.items():
            for j, sid in enumerate(po.skip):
                if sid not in ids:
                    raise PlacedError(f"bước '{sid}' không có trong danh sách bước chung", ("procedures", pid, "skip", j))
            for sid, ov in po.steps.items():
                if sid not in ids:
                    raise PlacedError(f"bước '{sid}' không có trong danh sách bước chung", ("procedures", pid, "steps", sid))
                for j, src in enumerate(ov.sources):
                    if src not in known:
                        raise PlacedError(f"nguồn '{src}' không có trong danh sách sources của tệp",
                                          ("procedures", pid, "steps", sid, "sources", j))
        return self

    def steps_for(self, pid: str) -> tuple[OnlineStep, ...]:
        """The walk for one procedure: the shared steps minus its skips, with its own texts."""
        po = self.procedures.get(pid) or ProcedureOnline()
        out = []
        for s in self.steps:
            if s.id in po.skip:
                continue
            ov = po.steps.get(s.id)
            out.append(s.model_copy(update={"say": ov.say, "sources": ov.sources, "verified": ov.verified})
                       if ov else s)
        return tuple(out)


def files_online(proc: Procedure | None) -> bool:
    """The procedure can be filed on the portal (fully or partly)."""
    return proc is not None and proc.submission is not None and proc.submission.online in ONLINE_LEVELS


def unknown_procedures(guide: OnlineGuide, procedures: Mapping[str, Procedure]) -> list[tuple[str, str]]:
    """(procedure id, problem) for overrides of a procedure that does not exist or cannot be filed online."""
    out = []
    for pid in guide.procedures:
        proc = procedures.get(pid)
        if proc is None:
            out.append((pid, f"không có thủ tục '{pid}' trong danh mục"))
        elif not files_online(proc):
            out.append((pid, f"thủ tục '{pid}' không nộp trực tuyến được (submission.online khác full/partial)"))
    return out

