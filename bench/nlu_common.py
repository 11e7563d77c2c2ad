"""Shared helpers for the NLU benchmarks: catalog text and the dev set (folds: `nlu.evaluate.stratified_folds`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.api import Example, KnowledgeItem

DEV = Path("/work/shared/spec/nlu-dev.jsonl")


def load_catalog(root: Path = ROOT) -> tuple[list[KnowledgeItem], list[str]]:
    """Knowledge items and labels via bot.content; while other entries are half-written and the
    strict loader refuses them, fall back to reading names straight from the YAML files."""
    try:
        from bot.content.knowledge import knowledge_items, labels
        from bot.content.loader import load_content

        snap = load_content(root, require_all=False)
        return knowledge_items(snap), labels(snap)
    except Exception as exc:  # noqa: BLE001 - benchmark must run while content is in flux
        print(f"[catalog] strict loader failed ({type(exc).__name__}); reading YAML directly", file=sys.stderr)
    import yaml

    spec = yaml.safe_load((root / "procedures_catalog" / "_spec.yml").read_text(encoding="utf-8"))
    procs = [p["id"] for p in spec["procedures"]]
    intents = [i["id"] for i in spec["intents"]]
    items: list[KnowledgeItem] = []
    for p in spec["procedures"]:
        path = root / "procedures_catalog" / f"{p['id']}.yml"
        names: list[str] = [p["name"]]
        texts: list[str] = []
        if path.exists():
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                names = [doc.get("name") or p["name"], doc.get("official_name") or "", *(doc.get("colloquial_names") or [])]
                texts = [d.get("name", "") for d in doc.get("documents") or [] if isinstance(d, dict)]
                if doc.get("summary"):
                    texts.append(doc["summary"])
            except Exception:  # noqa: BLE001
                pass
        items.append(KnowledgeItem(p["id"], tuple(dict.fromkeys(n for n in names if n)), tuple(t for t in texts if t)))
    return items, [*procs, *intents]


def load_dev(path: Path = DEV) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Example(d["text"], d["label"], d.get("style")))
    return out
