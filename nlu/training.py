"""Training data: Rasa-format YAML under ``nlu/data/``, templates, catalog text, augmentation.

Everything is generated deterministically (fixed seeds) so a model trained twice
from the same inputs is the same model, and the cache key is a hash of the inputs.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nlu.api import Example, KnowledgeItem, TrainingSet
from nlu.normalize import DATA_DIR, fold

INTENTS = ("greet", "goodbye", "thanks", "affirm", "deny", "request_human", "restart", "ask_fee",
           "ask_duration", "ask_where", "ask_status", "out_of_scope")
# Global commands the NLU also understands (``data/nlu_commands.yml``); not in the spec's label list, the engine
# maps them to its commands (delete → confirmation, back, help).
COMMAND_INTENTS = ("delete_data", "go_back", "help")


@dataclass(frozen=True, slots=True)
class RasaData:
    """What one or more Rasa NLU files hold."""

    examples: tuple[Example, ...] = ()
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    regexes: dict[str, tuple[str, ...]] = field(default_factory=dict)


_ITEM = re.compile(r"^\s*-\s+(.*\S)\s*$")


def _items(block: str | None) -> list[str]:
    out = []
    for line in (block or "").splitlines():
        m = _ITEM.match(line)
        if m:
            out.append(m.group(1))
    return out


def read_rasa_nlu(path: Path) -> RasaData:
    """Parse a Rasa 3.x ``nlu:`` file (intents, synonyms, lookups, regexes)."""
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    synonyms: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    for entry in doc.get("nlu") or []:
        if "intent" in entry:
            style = (entry.get("metadata") or {}).get("style") if isinstance(entry.get("metadata"), dict) else None
            for text in _items(entry.get("examples")):
                examples.append(Example(text=_strip_annotations(text), label=str(entry["intent"]), style=style))
        elif "synonym" in entry:
            synonyms[str(entry["synonym"])] = tuple(_items(entry.get("examples")))
        elif "lookup" in entry:
            lookups[str(entry["lookup"])] = tuple(_items(entry.get("examples")))
        elif "regex" in entry:
            regexes[str(entry["regex"])] = tuple(_items(entry.get("examples")))
    return RasaData(tuple(examples), synonyms, lookups, regexes)


_ANNOTATION = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)|\[([^\]]+)\]\{[^}]*\}")


def _strip_annotations(text: str) -> str:
    """'[12/3/2020](date)' → '12/3/2020'."""
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)


@lru_cache(maxsize=1)
def _templates() -> dict:  # type: ignore[type-arg]
    import yaml

    path = DATA_DIR / "templates.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def data_files() -> list[Path]:
    """The Rasa NLU files shipped with the package (``nlu/data/nlu*.yml``)."""
    return sorted(DATA_DIR.glob("nlu*.yml"))


def shipped_examples() -> list[Example]:
    out: list[Example] = []
    for path in data_files():
        out.extend(read_rasa_nlu(path).examples)
    return out


# ------------------------------------------------------------------ templates and catalog text

def _fill(frame: str, value: str) -> str:
    return re.sub(r"\s+", " ", frame.replace("{x}", value).replace("{s}", value)).strip()


def template_examples(labels: Iterable[str], knowledge: Sequence[KnowledgeItem], *, per_label: int = 40,
                      seed: int = 7) -> list[Example]:
    """Sentences built from question frames × each label's core phrases, stories and catalog names."""
    t = _templates()
    rng = random.Random(seed)
    ask_frames: list[str] = list(t.get("ask_frames") or ["{x}"])
    story_frames: list[str] = list(t.get("story_frames") or ["{s}"])
    cores: dict[str, list[str]] = {k: list(v or []) for k, v in (t.get("cores") or {}).items()}
    stories: dict[str, list[str]] = {k: list(v or []) for k, v in (t.get("stories") or {}).items()}
    names = {k.label: [n for n in k.names if n] for k in knowledge}
    out: list[Example] = []
    labels = list(labels)
    oos_frames: list[str] = list(t.get("oos_frames") or [])
    oos_topics: list[str] = list(t.get("oos_topics") or [])
    if "out_of_scope" in labels and oos_frames and oos_topics:
        for topic in oos_topics:
            out.append(Example(_fill(rng.choice(oos_frames), topic), "out_of_scope", "template"))
    for label in labels:
        if "." not in label:
            continue
        phrases = list(dict.fromkeys([*cores.get(label, []), *[_lower_first(n) for n in names.get(label, [])]]))
        sits = stories.get(label, [])
        for p in phrases:
            out.append(Example(p, label, "template"))
        if phrases:
            for _ in range(per_label):
                out.append(Example(_fill(rng.choice(ask_frames), rng.choice(phrases)), label, "template"))
        if sits:
            for s in sits:
                out.append(Example(_fill(rng.choice(story_frames), s), label, "template"))
            for _ in range(per_label // 2):
                out.append(Example(_fill(rng.choice(story_frames), rng.choice(sits)), label, "template"))
    return out


def _lower_first(text: str) -> str:
    words = text.split()
    if words and not (len(words[0]) > 1 and words[0].isupper()):
        words[0] = words[0][:1].lower() + words[0][1:]
    return " ".join(words)


def knowledge_examples(knowledge: Sequence[KnowledgeItem], labels: Iterable[str]) -> list[Example]:
    """The catalog's own words as weak examples: names, and document names for context."""
    wanted = set(labels)
    out: list[Example] = []
    for k in knowledge:
        if k.label not in wanted:
            continue
        for n in k.names:
            out.append(Example(n, k.label, "catalog"))
    return out


# ------------------------------------------------------------------ augmentation

_TEEN = (("không", "ko"), ("không", "k"), ("được", "dc"), ("được", "đc"), ("mình", "mk"), ("gì", "j"),
         ("rồi", "r"), ("với", "vs"), ("làm", "lm"), ("muốn", "mún"), ("đăng ký", "đk"), ("bao nhiêu", "bn"),
         ("em", "e"), ("vậy", "v"), ("giấy khai sinh", "gks"), ("căn cước công dân", "cccd"),
         ("số điện thoại", "sdt"), ("hồ sơ", "hs"), ("như thế nào", "ntn"), ("anh", "a"), ("chị", "c"))
_DIALECT = (("tôi", "tui"), ("làm", "mần"), ("gì", "chi"), ("đâu", "mô"), ("không", "hông"), ("vậy", "rứa"),
            ("sao", "răng"), ("bây giờ", "chừ"), ("này", "ni"), ("về", "dìa"), ("vào", "vô"), ("thuê", "mướn"),
            ("lĩnh", "lãnh"), ("bố", "ba"), ("mẹ", "má"), ("sinh", "sanh"))


def _sub_words(text: str, pairs: Sequence[tuple[str, str]], rng: random.Random, p: float) -> str:
    for src, dst in pairs:
        if rng.random() < p:
            text = re.sub(rf"(?<!\w){re.escape(src)}(?!\w)", dst, text, flags=re.IGNORECASE)
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    for i in rng.sample(cand, k=min(len(cand), max(1, len(cand) // 6))):
        w = words[i]
        op = rng.random()
        j = rng.randrange(1, len(w) - 1)
        if op < 0.4:
            w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif op < 0.7:
            w = w[:j] + w[j + 1:]
        else:
            w = fold(w)
        words[i] = w
    return " ".join(words)


def augment(examples: Sequence[Example], *, seed: int = 11, copies: int = 2) -> list[Example]:
    """Stylistic variants: no diacritics, teencode, Southern/Central words, phone typos."""
    rng = random.Random(seed)
    out: list[Example] = []
    for ex in examples:
        for c in range(copies):
            r = rng.random()
            text = ex.text.lower() if rng.random() < 0.5 else ex.text
            if r < 0.35:
                text = fold(text)
            elif r < 0.6:
                text = _sub_words(text, _TEEN, rng, 0.7)
                if rng.random() < 0.3:
                    text = fold(text)
            elif r < 0.8:
                text = _sub_words(text, _DIALECT, rng, 0.6)
            else:
                text = _typo(text, rng)
            if text != ex.text:
                out.append(Example(text, ex.label, "augmented"))
    return out


# ------------------------------------------------------------------ the default training set

def default_training_set(knowledge: Sequence[KnowledgeItem], labels: Sequence[str],
                         extra: Sequence[Example] = ()) -> TrainingSet:
    """Shipped examples (``nlu/data``) plus ``extra``, over ``labels`` and the command intents; templates are
    added at train time."""
    labels = [*labels, *(c for c in COMMAND_INTENTS if c not in labels)]
    wanted = set(labels)
    examples = [e for e in shipped_examples() if e.label in wanted]
    examples.extend(e for e in extra if e.label in wanted)
    return TrainingSet(examples=tuple(examples), knowledge=tuple(knowledge), labels=tuple(labels))


def fingerprint(ts: TrainingSet, version: str) -> str:
    """A hash of everything a model is trained from, for the on-disk cache."""
    h = hashlib.sha256(version.encode())
    for e in ts.examples:
        h.update(json.dumps([e.text, e.label]).encode())
    for k in ts.knowledge:
        h.update(json.dumps([k.label, list(k.names), list(k.texts)]).encode())
    h.update(json.dumps(list(ts.labels)).encode())
    for path in [DATA_DIR / "templates.yml", DATA_DIR / "teencode.yml"]:
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:24]


__all__ = ["COMMAND_INTENTS", "INTENTS", "RasaData", "augment", "data_files", "default_training_set", "fingerprint",
           "knowledge_examples", "read_rasa_nlu", "shipped_examples", "template_examples"]
