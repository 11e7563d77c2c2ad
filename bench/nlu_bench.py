"""NLU benchmark: accuracy (5-fold CV on the dev set), unseen procedures, latency, training time, memory.

Run: ``.venv/bin/python bench/nlu_bench.py [--quick]``. Prints the same figures for the
built-in parser and the placeholder matcher so the gain is visible.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nlu_common import ROOT, load_catalog, load_dev

from nlu.api import Example, KnowledgeItem, TrainingSet
from nlu.builtin import BuiltinParser
from nlu.evaluate import Report, cross_validate, evaluate
from nlu.placeholder import PlaceholderParser
from nlu.training import default_training_set

_ACTS = ("Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Đăng ký", "Xác nhận", "Công nhận", "Thẩm định",
         "Phê duyệt", "Thu hồi", "Hỗ trợ", "Chấm dứt", "Thông báo", "Bổ sung")
_OBJECTS = ("giấy phép khai thác tài nguyên nước", "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "giấy phép hoạt động karaoke", "chứng chỉ hành nghề dược", "giấy phép vận tải hành khách",
            "thẻ hướng dẫn viên du lịch", "giấy phép kinh doanh dịch vụ lữ hành", "chứng nhận hợp tác xã",
            "giấy phép nuôi trồng thủy sản", "giấy chứng nhận kiểm dịch động vật", "hồ sơ nghiệm thu công trình",
            "giấy phép khai thác cát sỏi", "quyết định giao rừng", "chứng nhận trang trại",
            "giấy phép quảng cáo ngoài trời", "giấy phép tổ chức lễ hội", "chứng nhận làng nghề",
            "giấy phép biểu diễn nghệ thuật", "thẻ bảo hiểm y tế cho người có công", "trợ cấp ưu đãi người có công",
            "chế độ liệt sĩ", "phụ cấp cán bộ không chuyên trách", "học bổng chính sách", "miễn giảm học phí",
            "giấy phép thành lập nhóm trẻ độc lập", "giấy phép hoạt động thư viện", "giấy phép xả thải",
            "giấy phép đào đường", "giấy phép sử dụng vỉa hè", "chứng nhận đăng ký tàu cá",
            "giấy phép khai thác thủy sản", "chứng nhận an toàn cháy nổ", "giấy phép cơ sở cai nghiện",
            "giấy phép hoạt động tôn giáo", "đăng ký sinh hoạt tôn giáo tập trung", "giấy phép phát hành tờ rơi",
            "chứng nhận hội nghề nghiệp", "quỹ xã hội từ thiện", "giấy phép cơ sở trợ giúp xã hội",
            "chế độ thai sản cho lao động tự do")
_QUALS = ("", " cho cá nhân", " cho tổ chức", " cho hộ gia đình", " trên địa bàn xã", " lần đầu",
          " theo hình thức trực tuyến", " đối với doanh nghiệp nhỏ", " cho người nước ngoài", " tại cấp xã")


def generated_catalog(n: int, seed: int = 5) -> list[KnowledgeItem]:
    """``n`` plausible procedure names (the national list has thousands) with names only."""
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = f"{rng.choice(_ACTS)} {rng.choice(_OBJECTS)}{rng.choice(_QUALS)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return [KnowledgeItem(label=f"quoc-gia.tt-{i:04d}", names=(nm,)) for i, nm in enumerate(names)]


def latency(parser, texts: list[str], repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        for t in texts:
            t0 = time.perf_counter()
            parser.parse(t)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def styles_line(r: Report) -> str:
    return "  ".join(f"{k} {v:.3f}" for k, v in r.style_accuracy().items())


def rss_of_bot_like_process() -> float:
    """Peak RSS (MB) of a fresh process that imports nlu, trains the real model and parses."""
    code = (
        "import sys,resource; sys.path.insert(0,'bench');"
        "from nlu_common import load_catalog; from nlu.training import default_training_set;"
        "from nlu.builtin import BuiltinParser; k,l=load_catalog();"
        "p=BuiltinParser.train(default_training_set(k,l)); p.parse('cho hỏi làm khai sinh');"
        "print(int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])/1024)"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return float(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the 2,000-entry catalog and memory subprocess")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    know, labs = load_catalog()
    dev = load_dev()
    base = default_training_set(know, labs)
    figures: dict[str, object] = {"catalog_procedures": sum(1 for l in labs if "." in l), "labels": len(labs),
                                  "shipped_examples": len(base.examples), "dev_messages": len(dev)}
    print(f"catalog: {figures['catalog_procedures']} procedures, {len(labs)} labels; "
          f"shipped examples {len(base.examples)}; dev {len(dev)} messages")

    # 1. accuracy, 5-fold CV (train = shipped data + catalog + other folds)
    t0 = time.perf_counter()
    cv = cross_validate(BuiltinParser.train, base, dev, k=5)
    print(f"\n[builtin] 5-fold CV top-1 {cv.accuracy:.3f}  top-3 {cv.top3_accuracy:.3f}  "
          f"NLL {cv.nll / cv.n:.3f}  ECE {cv.ece():.3f}  ({time.perf_counter() - t0:.0f}s)")
    print(f"          per style: {styles_line(cv)}")
    for (a, b), n in cv.confused.most_common(8):
        print(f"          confused {n}× {a} → {b}")
    ph = PlaceholderParser(know, labs)
    ph_rep = evaluate(ph, dev)
    print(f"[placeholder] top-1 {ph_rep.accuracy:.3f}  top-3 {ph_rep.top3_accuracy:.3f}  (no training; same every fold)")
    print(f"          per style: {styles_line(ph_rep)}")
    figures["builtin_cv"] = {"top1": cv.accuracy, "top3": cv.top3_accuracy, "styles": cv.style_accuracy(),
                             "ece": cv.ece()}
    figures["placeholder"] = {"top1": ph_rep.accuracy, "top3": ph_rep.top3_accuracy,
                              "styles": ph_rep.style_accuracy()}

    # 2. without any dev line in training (closest to the unseen held-out set)
    model = BuiltinParser.train(base)
    nodev = evaluate(model, dev)
    print(f"\n[builtin, no dev lines in training] top-1 {nodev.accuracy:.3f}  top-3 {nodev.top3_accuracy:.3f}")
    print(f"          per style: {styles_line(nodev)}")
    figures["builtin_no_dev"] = {"top1": nodev.accuracy, "top3": nodev.top3_accuracy,
                                 "styles": nodev.style_accuracy()}

    # 2b. new situations: hold out one hand-written data file at a time (train on the rest)
    from nlu.training import DATA_DIR, read_rasa_nlu

    lofo = Report()
    for held in ("nlu_procedures.yml", "nlu_situations.yml", "nlu_situations_2.yml", "nlu_stories.yml", "nlu_chat.yml", "nlu_styles.yml", "nlu_chat_styles.yml"):
        test = read_rasa_nlu(DATA_DIR / held).examples
        rest = [e for f in sorted(DATA_DIR.glob("nlu*.yml")) if f.name != held for e in read_rasa_nlu(f).examples]
        m = BuiltinParser.train(TrainingSet(examples=tuple(rest), knowledge=base.knowledge, labels=base.labels))
        one = evaluate(m, test)
        print(f"[builtin, {held} held out] n={one.n} top-1 {one.accuracy:.3f}  top-3 {one.top3_accuracy:.3f}")
        evaluate(m, test, lofo)
    print(f"[builtin, hand-written files held out one at a time] top-1 {lofo.accuracy:.3f}  "
          f"top-3 {lofo.top3_accuracy:.3f}  NLL {lofo.nll / lofo.n:.3f}  ECE {lofo.ece():.3f}  "
          f"confidently wrong {lofo.confidently_wrong_rate:.2%}  acted on {lofo.acted / lofo.n:.1%}  (n={lofo.n})")
    probe_path = ROOT / "tests" / "unit" / "nlu" / "data" / "unseen_phrasings.jsonl"
    probe = [Example(**json.loads(line)) for line in probe_path.read_text("utf-8").splitlines() if line]
    pr = evaluate(model, probe)
    print(f"[builtin, tests/unit/nlu/data/unseen_phrasings.jsonl] top-1 {pr.accuracy:.3f}  top-3 {pr.top3_accuracy:.3f}"
          f"  (placeholder {evaluate(ph, probe).accuracy:.3f})")
    figures["held_out_files"] = {"top1": lofo.accuracy, "top3": lofo.top3_accuracy, "n": lofo.n, "ece": lofo.ece(),
                                 "confidently_wrong": lofo.confidently_wrong_rate, "acted": lofo.acted / lofo.n}
    for name in ("citizens", "commands"):   # nlu/data/heldout: fresh messages, never trained on (issue 18)
        rows = [json.loads(line) for line in (ROOT / "nlu" / "data" / "heldout" / f"{name}.jsonl").read_text("utf-8")
                .splitlines() if line]
        h = evaluate(model, [Example(r["text"], r["label"], r.get("style")) for r in rows])
        print(f"[builtin, nlu/data/heldout/{name}.jsonl] n={h.n} top-1 {h.accuracy:.3f}  top-3 {h.top3_accuracy:.3f}  "
              f"confidently wrong {h.confidently_wrong_rate:.2%}  acted on {h.acted / h.n:.1%}")
        print(f"          per style: {styles_line(h)}")
        figures[f"heldout_{name}"] = {"top1": h.accuracy, "top3": h.top3_accuracy, "styles": h.style_accuracy(),
                                      "confidently_wrong": h.confidently_wrong_rate}
    figures["unseen_phrasings"] = {"top1": pr.accuracy, "top3": pr.top3_accuracy}

    # 3. procedures the classifier never saw (retrieval over catalog names only)
    procs = [l for l in labs if "." in l]
    unseen = Report()
    groups = [procs[i::6] for i in range(6)]
    for g in groups:
        m = BuiltinParser.train(base, without=g)
        evaluate(m, [e for e in dev if e.label in g], unseen)
    print(f"\n[builtin, procedure unseen by the classifier, names only] top-1 {unseen.accuracy:.3f}  "
          f"top-3 {unseen.top3_accuracy:.3f}  (placeholder on the same lines: "
          f"{evaluate(ph, [e for e in dev if e.label in procs]).accuracy:.3f})")
    print(f"          per style: {styles_line(unseen)}")
    figures["unseen_procedures"] = {"top1": unseen.accuracy, "top3": unseen.top3_accuracy}

    # 4. training time and latency with the real catalog
    texts = [e.text for e in dev]
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        model = BuiltinParser.train(base)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    stories = [json.loads(line)["text"] for line in (ROOT / "nlu" / "data" / "heldout" / "citizens.jsonl")
               .read_text("utf-8").splitlines() if line and '"story"' in line]
    texts = texts + stories   # long messages take the request-sentence path (two more classifier passes)
    p50, p99 = latency(model, texts, 5)
    q50, q99 = latency(ph, texts, 5)
    print(f"\n[builtin] training {min(times):.2f}s (best of 3, max {max(times):.2f}s, CPU {min(cpu):.2f}s) "
          f"[budget 10 s: {'ok' if min(times) <= 10 else 'OVER'}]; parse p50 {p50:.2f} ms  p99 {p99:.2f} ms "
          f"[budget 5 ms: {'ok' if p99 <= 5 else 'OVER'}]  ({len(labs)} labels, dev + held-out stories)")
    print(f"[placeholder] parse p50 {q50:.2f} ms  p99 {q99:.2f} ms")
    figures["latency_catalog"] = {"train_s": min(times), "p50_ms": p50, "p99_ms": p99,
                                  "placeholder_p50_ms": q50, "placeholder_p99_ms": q99}

    if not args.quick:
        big_know = [*know, *generated_catalog(2000)]
        big = TrainingSet(examples=base.examples, knowledge=tuple(big_know),
                          labels=(*labs, *(k.label for k in big_know if k.label not in labs)))
        t0 = time.perf_counter()
        big_model = BuiltinParser.train(big)
        t_big = time.perf_counter() - t0
        b50, b99 = latency(big_model, texts, 3)
        big_ph = PlaceholderParser(big.knowledge, big.labels)
        c50, c99 = latency(big_ph, texts, 1)
        acc_big = evaluate(big_model, dev).accuracy
        conf_big = statistics.mean(big_model.parse(t).confidence for t in texts)
        conf_small = statistics.mean(model.parse(t).confidence for t in texts)
        print(f"\n[builtin, +2,000 catalog entries] training {t_big:.2f}s; parse p50 {b50:.2f} ms  p99 {b99:.2f} ms; "
              f"dev top-1 {acc_big:.3f}, mean top-1 confidence {conf_big:.3f} (without them {conf_small:.3f}) "
              f"({len(big.labels)} labels) [budget 25 ms: {'ok' if b99 <= 25 else 'OVER'}]")
        print(f"[placeholder, +2,000 entries] parse p50 {c50:.2f} ms  p99 {c99:.2f} ms")
        figures["latency_2000"] = {"train_s": t_big, "p50_ms": b50, "p99_ms": b99, "dev_top1": acc_big,
                                   "dev_mean_confidence": conf_big,
                                   "placeholder_p50_ms": c50, "placeholder_p99_ms": c99}
        del big_model, big_ph
        gc.collect()
        rss = rss_of_bot_like_process()
        print(f"\nresident memory of a process that imports nlu, trains and parses: {rss:.0f} MB "
              f"[budget 300 MB: {'ok' if rss <= 300 else 'OVER'}]")
        figures["rss_mb"] = rss
    print(f"peak RSS of this benchmark process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
