"""The worker that serves the NLU never loads scikit-learn: a cold cache is trained in a child process."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import os, sys
os.environ["MOTCUA_NLU__MODEL_CACHE_DIR"] = sys.argv[1]
from bot.settings import load_settings
from bot.content.loader import load_content
from bot.runtime.understanding import NluService

if __name__ == "__main__":
    settings = load_settings(None)
    parser = NluService(settings).build(load_content(settings.root))
    print(parser.parse("lam giay khai sinh cho con").label, "sklearn" in sys.modules, "scipy" in sys.modules)
"""


def test_a_cold_cache_is_trained_apart_and_served_without_scikit_learn(tmp_path: Path) -> None:
    script = tmp_path / "serve.py"
    script.write_text(SCRIPT, encoding="utf-8")
    cache = tmp_path / "nlu"
    run = subprocess.run([sys.executable, str(script), str(cache)], cwd=ROOT, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["ho-tich.khai-sinh", "False", "False"]
    assert len(list(cache.glob("nlu-*.pkl"))) == 1      # the child wrote the cache the worker loaded
