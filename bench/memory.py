"""Peak resident memory of a search and of a 20,000-sample evaluation, each in its own child process.

Each job runs in a fresh Python process; its peak resident set size (`ru_maxrss` from `os.wait4`, so
only that child is counted) and wall time are printed next to a baseline child that only imports
TensorFlow and the library and loads the data (the floor every job pays). The evaluation child is
preceded by an unmeasured warm-up child that trains (or finds) the cached digit classifier and the real
data's reference statistics, so the figure is that of evaluation alone.

Usage:

    python bench/memory.py                                 # quick search (random) + 20,000-sample evaluation
    python bench/memory.py --budget smoke --num-samples 2000   # a fast check
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "dhcd_digits_train.npz")

BASELINE = """
import sys, tensorflow, keras, nepscript_keras
from nepscript_keras.data import load_digits
load_digits(sys.argv[1])
"""

WARM_UP = """
import sys
from nepscript_keras.classifier import get_classifier
from nepscript_keras.data import load_digits
from nepscript_keras.evaluation import reference_statistics
from nepscript_keras.extractors import classifier_extractor
data = load_digits(sys.argv[1])
reference_statistics(data, classifier_extractor(get_classifier(data)))
"""

EVALUATION = """
import sys
from nepscript_keras.data import load_digits
from nepscript_keras.evaluation import evaluate
from nepscript_keras.models import build_generator
data = load_digits(sys.argv[1])
print(evaluate(build_generator(width=int(sys.argv[3])), data, num_samples=int(sys.argv[2]))["seconds"])
"""


def run_child(args: list[str]) -> tuple[float, float]:
    """Runs `python args...` silently; returns (peak RSS in MiB, wall seconds) of that child alone."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args[:3]} failed:\n{child.stderr.read().decode()[-2000:]}")
    child.stderr.close()
    return usage.ru_maxrss / 1024.0, seconds  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--budget", default="quick", help="search budget (smoke for a fast check)")
    parser.add_argument("--tuner", default="random")
    parser.add_argument("--max-trials", type=int, help="trials (default: the budget's)")
    parser.add_argument("--num-samples", type=int, default=20000, help="samples of the evaluation job")
    parser.add_argument("--width", type=int, default=64, help="generator width of the evaluation job")
    args = parser.parse_args()
    out = tempfile.mkdtemp(prefix="nepscript_memory_")
    search = ["-m", "nepscript_keras.cli", "tune", "--tuner", args.tuner, "--budget", args.budget,
              "--data", args.data, "--output-dir", os.path.join(out, "search")]
    search += ["--max-trials", str(args.max_trials)] if args.max_trials else []
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    baseline, _ = run_child(["-c", BASELINE, args.data])
    print(f"baseline (import TensorFlow + library, load data): {baseline:7.0f} MiB", flush=True)
    rss, seconds = run_child(search)
    trials = f"{args.max_trials} trials" if args.max_trials else "budget's trials"
    print(f"search ({args.tuner}, {args.budget} budget, {trials}):"
          f" {rss:7.0f} MiB peak ({rss / baseline:.2f}x baseline), {seconds:.0f} s", flush=True)
    run_child(["-c", WARM_UP, args.data])
    rss, seconds = run_child(["-c", EVALUATION, args.data, str(args.num_samples), str(args.width)])
    print(f"evaluation ({args.num_samples} samples, width-{args.width} generator):"
          f" {rss:7.0f} MiB peak ({rss / baseline:.2f}x baseline), {seconds:.0f} s", flush=True)
    shutil.rmtree(out, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
