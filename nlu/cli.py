"""``motcua nlu predict | eval FILE.jsonl | train | export-rasa DIR``.

The bot's CLI calls `main` with a factory that builds the `TrainingSet` from the catalog;
``python -m nlu.cli`` does the same through ``bot.content`` for convenience.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from nlu.api import Example, ParseContext, Parser, TrainingSet

DEFAULT_CACHE = Path("var/nlu")  # the bot's nlu.model_cache_dir default, so `train` warms its cache


def _build_parser(args: argparse.Namespace, factory: Callable[[], TrainingSet]) -> Parser:
    if args.backend == "rasa":
        from nlu.rasa_http import RasaHttpParser

        return RasaHttpParser(args.url, timeout=args.timeout)
    ts = factory()
    if args.backend == "placeholder":
        from nlu.placeholder import PlaceholderParser

        return PlaceholderParser(ts.knowledge, ts.labels)
    from nlu.builtin import BuiltinParser

    cache = None if args.no_cache else Path(args.cache)
    return BuiltinParser.load_or_train(ts, cache_dir=cache)


def _read_jsonl(stream: TextIO) -> list[dict[str, object]]:
    rows = []
    for n, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"dòng {n}: không phải JSON hợp lệ ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise SystemExit(f'dòng {n}: cần một đối tượng JSON có trường "text"')
        rows.append(obj)
    return rows


def cmd_predict(args: argparse.Namespace, factory: Callable[[], TrainingSet], out: TextIO) -> int:
    parser = _build_parser(args, factory)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
            text = obj["text"] if isinstance(obj, dict) else None
        except json.JSONDecodeError:
            text = None
        if not isinstance(text, str):
            out.write(json.dumps({"error": 'cần JSON có trường "text"'}, ensure_ascii=False) + "\n")
            continue
        u = parser.parse(text, ParseContext(today=args.today))
        ranking = u.ranking if args.top <= 0 else u.ranking[: args.top]
        out.write(json.dumps({
            "text": text,
            "label": u.label,
            "confidence": round(u.confidence, 4),
            "ranking": [{"label": c.label, "confidence": round(c.confidence, 4)} for c in ranking],
            "entities": [asdict(e) for e in u.entities],
        }, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def cmd_eval(args: argparse.Namespace, factory: Callable[[], TrainingSet], out: TextIO) -> int:
    from nlu.evaluate import ActingRule, Report, cross_validate, evaluate

    path = Path(args.file)
    with path.open(encoding="utf-8") as fh:
        rows = _read_jsonl(fh)
    examples = [Example(str(r["text"]), str(r.get("label", "")), str(r["style"]) if r.get("style") else None)
                for r in rows]
    rule = ActingRule(args.threshold, args.margin, args.intent_threshold)
    t0 = time.perf_counter()
    if args.folds and args.folds > 1:
        if args.backend != "builtin":
            raise SystemExit("--folds chỉ dùng được với backend builtin")
        from nlu.builtin import BuiltinParser

        report = cross_validate(BuiltinParser.train, factory(), examples, k=args.folds, rule=rule)
        out.write(f"{args.folds}-fold cross-validation (train: data + catalog + other folds)\n")
    else:
        parser = _build_parser(args, factory)
        report = evaluate(parser, examples, Report(rule=rule))
    out.write(report.render(confused=args.confused, per_label=not args.no_per_label) + "\n")
    out.write(f"\n({time.perf_counter() - t0:.1f}s)\n")
    return 0


def cmd_train(args: argparse.Namespace, factory: Callable[[], TrainingSet], out: TextIO) -> int:
    from nlu.builtin import BuiltinParser, model_version
    from nlu.training import fingerprint

    ts = factory()
    t0 = time.perf_counter()
    parser = BuiltinParser.train(ts)
    took = time.perf_counter() - t0
    cache = Path(args.cache)
    path = cache / f"nlu-{fingerprint(ts, model_version(parser.settings))}.pkl"
    parser.save(path)
    out.write(f"đã huấn luyện: {len(ts.examples)} câu mẫu, {len(parser.labels)} nhãn "
              f"({len(parser.clf_labels)} có câu mẫu), {took:.1f}s → {path}\n")
    return 0


def cmd_export(args: argparse.Namespace, factory: Callable[[], TrainingSet], out: TextIO) -> int:
    from nlu.rasa_io import export_rasa

    out.writelines(f"đã ghi {p}\n" for p in export_rasa(factory(), Path(args.dir)))
    out.write("Huấn luyện trên Rasa 3.x: rasa train nlu --nlu nlu.yml --domain domain.yml --config config.yml\n")
    return 0


def build_argparser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="motcua nlu", description="Hiểu câu hỏi tiếng Việt: dự đoán, đánh giá, huấn luyện")
    sub = p.add_subparsers(dest="cmd", required=True)

    def backend_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--backend", choices=("builtin", "placeholder", "rasa"), default="builtin")
        sp.add_argument("--url", default="http://localhost:5005", help="Rasa server (backend rasa)")
        sp.add_argument("--timeout", type=float, default=5.0)
        sp.add_argument("--cache", default=str(DEFAULT_CACHE), help="model cache directory")
        sp.add_argument("--no-cache", action="store_true")

    pr = sub.add_parser("predict", help="JSON lines {\"text\"} on stdin → predictions on stdout")
    backend_opts(pr)
    pr.add_argument("--top", type=int, default=10, help="ranking length (0 = all labels)")
    pr.add_argument("--today", type=dt.date.fromisoformat, default=None,
                    help="YYYY-MM-DD the dates of a message are read against (motcua passes the current day)")
    ev = sub.add_parser("eval", help="accuracy on FILE.jsonl (text, label, optional style)")
    backend_opts(ev)
    ev.add_argument("file")
    ev.add_argument("--folds", type=int, default=0, help="k-fold cross-validation adding the other folds to training")
    ev.add_argument("--confused", type=int, default=15)
    ev.add_argument("--no-per-label", action="store_true")
    ev.add_argument("--threshold", type=float, default=0.55, help="confidence the bot acts on (Thresholds.confident)")
    ev.add_argument("--margin", type=float, default=0.12, help="margin over the next procedure (Thresholds.margin)")
    ev.add_argument("--intent-threshold", type=float, default=0.5, help="intent confidence acted on (Thresholds.intent)")
    tr = sub.add_parser("train", help="rebuild the model from catalog + nlu/data and cache it")
    tr.add_argument("--cache", default=str(DEFAULT_CACHE))
    ex = sub.add_parser("export-rasa", help="write nlu.yml, domain.yml, config.yml for a Rasa 3.x server")
    ex.add_argument("dir")
    return p


def main(argv: Sequence[str], *, training_set_factory: Callable[[], TrainingSet],
         out: TextIO | None = None, today: dt.date | None = None) -> int:
    """``today``: the day `predict` reads dates against unless ``--today`` names one (this package never
    reads the clock)."""
    args = build_argparser().parse_args(list(argv))
    if getattr(args, "today", None) is None:
        args.today = today
    stream = out or sys.stdout
    handlers = {"predict": cmd_predict, "eval": cmd_eval, "train": cmd_train, "export-rasa": cmd_export}
    return handlers[args.cmd](args, training_set_factory, stream)


def _catalog_factory() -> TrainingSet:  # pragma: no cover - entry point only
    """Read the catalog through bot.content (allowed here: this is an entry point, not the library)."""
    from bot.content.knowledge import knowledge_items, labels
    from bot.content.loader import load_content
    from nlu.training import default_training_set

    root = Path.cwd()
    snap = load_content(root, require_all=False)
    return default_training_set(knowledge_items(snap), labels(snap))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:], training_set_factory=_catalog_factory))
