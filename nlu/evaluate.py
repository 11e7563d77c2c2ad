"""Accuracy reports: top-1/top-3 overall, per label, per style, and the most confused pairs."""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from nlu.api import Example, Parser, TrainingSet, Understanding


@dataclass(frozen=True, slots=True)
class ActingRule:
    """When the bot acts on a top label without asking (mirrors ``bot/engine`` Thresholds).

    A procedure is acted on at ``confidence`` with ``margin`` over the next procedure; an intent at ``intent``.
    """

    confidence: float = 0.55
    margin: float = 0.12
    intent: float = 0.5

    def acts(self, u: Understanding) -> bool:
        """Whether the engine would act on ``u``'s top label."""
        if not u.ranking:
            return False
        top = u.ranking[0]
        if "." not in top.label:
            return top.confidence >= self.intent
        second = next((c.confidence for c in u.ranking[1:] if "." in c.label), 0.0)
        return top.confidence >= self.confidence and top.confidence - second >= self.margin


@dataclass
class Report:
    """Counts behind the printed figures."""

    rule: ActingRule = field(default_factory=ActingRule)
    n: int = 0
    top1: int = 0
    top3: int = 0
    by_label: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    by_style: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    confused: Counter[tuple[str, str]] = field(default_factory=Counter)
    nll: float = 0.0
    acted: int = 0
    confidently_wrong: list[tuple[str, str, str, float]] = field(default_factory=list)
    brier_bins: list[list[float]] = field(default_factory=lambda: [[0.0, 0.0, 0.0] for _ in range(10)])

    def add(self, ex: Example, u: Understanding) -> None:
        import math

        labels = [c.label for c in u.ranking]
        hit1 = bool(labels) and labels[0] == ex.label
        hit3 = ex.label in labels[:3]
        self.n += 1
        self.top1 += hit1
        self.top3 += hit3
        for bucket in (self.by_label[ex.label], self.by_style[ex.style or "-"]):
            bucket[0] += 1
            bucket[1] += hit1
            bucket[2] += hit3
        if not hit1 and labels:
            self.confused[(ex.label, labels[0])] += 1
        acts = self.rule.acts(u)
        self.acted += acts
        for bucket in (self.by_label[ex.label], self.by_style[ex.style or "-"]):
            bucket[3] += acts and not hit1
        if acts and not hit1:
            self.confidently_wrong.append((ex.text, ex.label, labels[0], u.ranking[0].confidence))
        p = next((c.confidence for c in u.ranking if c.label == ex.label), 0.0)
        self.nll -= math.log(max(p, 1e-9))
        conf = u.confidence
        b = self.brier_bins[min(9, int(conf * 10))]
        b[0] += 1
        b[1] += conf
        b[2] += hit1

    @property
    def accuracy(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3 / self.n if self.n else 0.0

    @property
    def confidently_wrong_rate(self) -> float:
        """Share of messages whose wrong top label the engine would act on without asking."""
        return len(self.confidently_wrong) / self.n if self.n else 0.0

    def ece(self) -> float:
        """Expected calibration error of the top-1 confidence (10 bins)."""
        if not self.n:
            return 0.0
        return sum(abs(b[1] - b[2]) for b in self.brier_bins if b[0]) / self.n

    def style_accuracy(self) -> dict[str, float]:
        return {k: v[1] / v[0] for k, v in sorted(self.by_style.items())}

    def render(self, *, confused: int = 10, per_label: bool = True) -> str:
        lines = [(f"messages {self.n}  top-1 {self.accuracy:.3f}  top-3 {self.top3_accuracy:.3f}  "
                  f"mean NLL {self.nll / max(1, self.n):.3f}  ECE {self.ece():.3f}"),
                 (f"confidently wrong {len(self.confidently_wrong)} ({self.confidently_wrong_rate:.1%}; acted on "
                  f"{self.acted / max(1, self.n):.1%} of messages; procedure ≥ {self.rule.confidence:.2f} with margin "
                  f"{self.rule.margin:.2f}, intent ≥ {self.rule.intent:.2f})"), "", "per style:"]
        for k, v in sorted(self.by_style.items()):
            lines.append(f"  {k:<14} n={v[0]:<4} top-1 {v[1] / v[0]:.3f}  top-3 {v[2] / v[0]:.3f}  "
                         f"confidently wrong {v[3]}")
        if per_label:
            lines += ["", "per label:"]
            for k, v in sorted(self.by_label.items()):
                lines.append(f"  {k:<40} n={v[0]:<4} top-1 {v[1] / v[0]:.3f}  top-3 {v[2] / v[0]:.3f}")
        if self.confidently_wrong:
            lines += ["", "confidently wrong (expected → predicted, confidence):"]
            for text, want, got, conf in self.confidently_wrong[:confused]:
                lines.append(f"  {want} → {got} {conf:.2f}  {text[:90]}")
        lines += ["", "most confused (expected → predicted):"]
        for (a, b), n in self.confused.most_common(confused):
            lines.append(f"  {n:>3}  {a} → {b}")
        return "\n".join(lines)


def evaluate(parser: Parser, examples: Iterable[Example], report: Report | None = None) -> Report:
    """Parse every example and count it (top-1, top-3, calibration, confidently wrong)."""
    report = report or Report()
    for ex in examples:
        report.add(ex, parser.parse(ex.text))
    return report


def stratified_folds(examples: Sequence[Example], k: int = 5, seed: int = 13) -> list[list[int]]:
    """k folds, each label's examples dealt round-robin after a seeded shuffle."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        by_label[e.label].append(i)
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[(j + offset) % k].append(i)
        offset += len(idx)
    return out


def cross_validate(train: Callable[[TrainingSet], Parser], base: TrainingSet, examples: Sequence[Example],
                   k: int = 5, seed: int = 13, rule: ActingRule | None = None) -> Report:
    """Train on ``base`` plus the other folds, test on each fold in turn."""
    report = Report(rule=rule or ActingRule())
    for fold in stratified_folds(examples, k, seed):
        held = set(fold)
        extra = [e for i, e in enumerate(examples) if i not in held]
        ts = TrainingSet(examples=(*base.examples, *extra), knowledge=base.knowledge, labels=base.labels)
        parser = train(ts)
        evaluate(parser, (examples[i] for i in fold), report)
    return report


__all__ = ["ActingRule", "Report", "cross_validate", "evaluate", "stratified_folds"]
