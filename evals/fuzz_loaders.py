"""Fuzz the loaders with Hypothesis for a bounded time: mutated copies of real files of each type.

A loader may accept a file or refuse it with IngestError (a clear message naming the file); anything
else (an uncaught exception, a hang past --example-seconds) is a finding. Each finding is saved under
tests/fuzz_regressions/, where tests/test_loaders.py replays it in CI.

    python evals/fuzz_loaders.py --seconds 300      (make fuzz; part of make bench, not of CI)"""

import argparse
import hashlib
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from evidence_bot.errors import IngestError  # noqa: E402
from evidence_bot.ingest.loaders import load_document  # noqa: E402

from helpers.pdfmaker import page, write_pdf  # noqa: E402

REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
SAMPLE = ROOT / "ingest" / "sample"
SEEN: set[str] = set()  # failure signatures saved in this run


def seeds(workdir: Path) -> dict[str, bytes]:
    pdf = write_pdf(workdir / "seed.pdf", [page(("h1", "Waiting lists"), ("p", "In March 2025, 412 people waited."))])
    return {".pdf": pdf.read_bytes(), ".docx": (SAMPLE / "asc-self-assessment-2024.docx").read_bytes(),
            ".html": (SAMPLE / "cabinet-minutes-2025-07-16.html").read_bytes(),
            ".txt": (SAMPLE / "news-cqc-rating.txt").read_bytes(),
            ".md": (SAMPLE / "asc-improvement-action-plan.md").read_bytes(),
            ".xlsx": (SAMPLE / "workforce-action-tracker.xlsx").read_bytes(),
            ".csv": (SAMPLE / "assessment-waiting-times.csv").read_bytes(),
            ".pptx": (SAMPLE / "scrutiny-briefing-2025-11.pptx").read_bytes()}


def mutations(seed: bytes):
    """Flips, cuts, splices and repeats of the seed: the damage real files suffer, and worse."""
    position = st.integers(min_value=0, max_value=max(len(seed) - 1, 0))
    flip = st.tuples(st.just("flip"), position, st.binary(min_size=1, max_size=16))
    cut = st.tuples(st.just("cut"), position, st.just(b""))
    insert = st.tuples(st.just("insert"), position, st.binary(min_size=1, max_size=256))
    repeat = st.tuples(st.just("repeat"), position, st.integers(min_value=2, max_value=50).map(lambda n: bytes([n])))
    return st.lists(st.one_of(flip, cut, insert, repeat), min_size=1, max_size=6)


def apply(seed: bytes, edits) -> bytes:
    data = bytearray(seed)
    for kind, at, payload in edits:
        at = min(at, len(data))
        if kind == "flip":
            data[at : at + len(payload)] = payload
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = payload
        else:
            chunk = bytes(data[at : at + 64])
            data[at:at] = chunk * payload[0]
    return bytes(data)


class Hang(Exception):
    pass


def on_alarm(signum, frame):
    raise Hang()


def fuzz(suffix: str, seed: bytes, seconds: float, example_seconds: int, workdir: Path, findings: list) -> int:
    deadline = time.monotonic() + seconds
    tried = [0]
    target = workdir / f"fuzzed{suffix}"

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(mutations(seed))
    def one(edits):
        if time.monotonic() > deadline:
            return
        tried[0] += 1
        data = apply(seed, edits)
        target.write_bytes(data)
        signal.alarm(example_seconds)
        try:
            load_document(target, [])
        except IngestError:
            pass
        except Hang:
            record(findings, suffix, data, f"took over {example_seconds} s", "hang")
        except Exception as exc:  # the finding: anything but a clear IngestError
            where = traceback.extract_tb(exc.__traceback__)[-1]
            record(findings, suffix, data, traceback.format_exc(limit=3),
                   f"{type(exc).__name__}:{where.filename}:{where.lineno}")
        finally:
            signal.alarm(0)

    while time.monotonic() < deadline:
        one()
    return tried[0]


def record(findings: list, suffix: str, data: bytes, what: str, signature: str) -> None:
    """Keep the first input per kind of failure (exception type and where it was raised), not thousands."""
    name = hashlib.sha256(data).hexdigest()[:12] + suffix
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    if signature not in SEEN and not (REGRESSIONS / name).exists():
        SEEN.add(signature)
        (REGRESSIONS / name).write_bytes(data)
        findings.append((name, what.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300, help="Total, shared between the file types.")
    parser.add_argument("--example-seconds", type=int, default=20, help="One file longer than this is a finding.")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, on_alarm)
    findings: list = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        inputs = seeds(workdir)
        for suffix, seed in inputs.items():
            tried = fuzz(suffix, seed, args.seconds / len(inputs), args.example_seconds, workdir, findings)
            print(f"{suffix:6} {tried:6d} inputs", flush=True)
    for name, what in findings:
        print(f"FINDING {name}: {what}")
    print(f"{len(findings)} new findings saved under {REGRESSIONS}" if findings else "no findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
