"""Crash trials: kill `evidence-bot ingest` with SIGKILL at random moments and check what is left.

Each trial starts a fresh index, kills the ingest at a random time within the length of one full ingest,
then checks that
  1. the index opens and its stores agree (`evidence-bot check`: catalog, lexical index, both vector
     collections; no orphans, no duplicates), after the recovery any opening does;
  2. a question is answered (or, if the kill came before the first document was committed, the index
     says plainly that it is empty);
  3. ingesting again completes, and the result agrees and matches an uninterrupted run's counts.

    python evals/crash_trials.py --corpus ../shared/corpus --trials 20
Writes evals/results/crash-<date>.json; exits 1 if any trial fails."""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
QUESTION = "What does the evidence say about safeguarding?"
EXIT_EMPTY = 3  # evidence-bot's exit status for an empty index (cli.py)


def cli(index: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "evidence_bot.cli", "--index", str(index), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"})


def counts(index: Path) -> tuple[dict, subprocess.CompletedProcess]:
    done = cli(index, "check", "--json")
    return (json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}), done


def reference_run(corpus: Path, root: Path) -> tuple[float, dict]:
    index = root / "reference"
    started = time.monotonic()
    done = cli(index, "ingest", "--quiet", str(corpus))
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"the uninterrupted ingest failed:\n{done.stderr}")
    return seconds, counts(index)[0]


def trial(number: int, corpus: Path, root: Path, kill_at: float, reference: dict) -> dict:
    index = root / f"trial-{number}"
    command = [sys.executable, "-m", "evidence_bot.cli", "--index", str(index), "ingest", "--quiet", str(corpus)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    time.sleep(kill_at)
    finished_first = process.poll() is not None
    if not finished_first:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    after_kill, check = counts(index)
    asked = cli(index, "ask", "--json", QUESTION)
    answered = asked.returncode == 0 or (asked.returncode == EXIT_EMPTY and after_kill.get("documents") == 0)
    rerun = cli(index, "ingest", "--quiet", str(corpus))
    final, final_check = counts(index)
    outcome = {
        "trial": number, "kill_at_s": round(kill_at, 2), "finished_before_kill": finished_first,
        "documents_at_kill": after_kill.get("documents"), "recovered": after_kill.get("recovered"),
        "consistent_after_kill": check.returncode == 0 and after_kill.get("ok") is True,
        "problems_after_kill": after_kill.get("problems", [check.stderr[-500:]]),
        "query_answered": answered, "rerun_completed": rerun.returncode == 0,
        "consistent_after_rerun": final_check.returncode == 0 and final.get("ok") is True,
        "matches_reference": (final.get("documents"), final.get("passages")) == (reference["documents"],
                                                                                reference["passages"]),
    }
    outcome["survived"] = all(outcome[k] for k in ("consistent_after_kill", "query_answered", "rerun_completed",
                                                   "consistent_after_rerun", "matches_reference"))
    return outcome


def run(corpus: Path, trials: int, seed: int, root: Path) -> dict:
    full_seconds, reference = reference_run(corpus, root)
    print(f"uninterrupted ingest: {full_seconds:.1f} s, {reference['documents']} documents, "
          f"{reference['passages']} passages", flush=True)
    rng = random.Random(seed)
    outcomes = []
    for number in range(1, trials + 1):
        outcome = trial(number, corpus, root, rng.uniform(0.3, full_seconds), reference)
        outcomes.append(outcome)
        print(f"trial {number:2d}: killed at {outcome['kill_at_s']:6.2f} s with {outcome['documents_at_kill']} "
              f"documents committed, recovered {outcome['recovered']}: "
              f"{'survived' if outcome['survived'] else 'FAILED ' + json.dumps(outcome)}", flush=True)
    survived = sum(o["survived"] for o in outcomes)
    return {"corpus": str(corpus), "date": date.today().isoformat(), "seed": seed, "trials": trials,
            "survived": survived, "uninterrupted_seconds": round(full_seconds, 1), "reference": reference,
            "outcomes": outcomes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--output", type=Path, help="JSON report (default evals/results/crash-<date>.json)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evidence-bot-crash-") as root:
        report = run(args.corpus.resolve(), args.trials, args.seed, Path(root))
    output = args.output or RESULTS / f"crash-{report['date']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{report['survived']} of {report['trials']} crash trials survived; report: {output}")
    return 0 if report["survived"] == report["trials"] else 1


if __name__ == "__main__":
    sys.exit(main())
