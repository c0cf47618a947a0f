"""Certificate rendering speed and memory.

Run: .venv/bin/python bench/certificates.py [--renders 1000] [--batch 200]
Baselines in the same run, so the ratio can be compared across machines: WeasyPrint rendering
a minimal page (one paragraph) the way its documentation shows, `HTML(string=...).write_pdf()`
(the issue's "minimal page, about 11 ms warm"), and the same page through our tuned renderer
(shared font configuration), a stricter reference also printed.
"""

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from timing import interleaved_medians_ms
from weasyprint import HTML

from coursekit import create_app
from coursekit.certificates.models import Certificate
from coursekit.certificates.pdf import render_pdf
from coursekit.certificates.render import certificate_pdf

NAMES = ["欧阳娜娜", "张伟", "Zoë Ñúñez", "山田太郎", "김민준"]
MINIMAL = "<html><body><p>Hello</p></body></html>"
_app = None


def app():  # type: ignore[no-untyped-def]
    global _app
    if _app is None:
        db = os.path.join(tempfile.mkdtemp(), "bench.db")
        _app = create_app(
            {
                "SECRET_KEY": "b" * 40,
                "COURSEKIT_DATABASE_URL": f"sqlite:///{db}",
                "SERVER_NAME": "training.example.com",
            }
        )
    return _app


def certificate(name: str, n: int = 0) -> Certificate:
    return Certificate(
        code=f"ABCD-EFGH-JKMN-{n:04d}",
        name=name,
        language="zh",
        hours=6.2,
        issued_at=datetime(2026, 11, 22, tzinfo=UTC),
        course_id="customer-expectations",
    )


def render_one(name: str, n: int = 0) -> int:
    with app().app_context():
        course = app().extensions["coursekit"].course
        return len(
            certificate_pdf(certificate(name, n), course, "https://training.example.com/verify/X")
        )


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()

    t0 = time.perf_counter()
    render_one("欧阳娜娜")
    cold = (time.perf_counter() - t0) * 1000
    medians = interleaved_medians_ms(
        {
            "minimal": lambda: HTML(string=MINIMAL).write_pdf(),
            "tuned": lambda: render_pdf(MINIMAL),
            "chinese": lambda: render_one("欧阳娜娜"),
        },
        60,
    )
    minimal, tuned, chinese = medians["minimal"], medians["tuned"], medians["chinese"]
    print(f"minimal page, WeasyPrint default  median {minimal:7.1f} ms")
    print(f"minimal page, our renderer        median {tuned:7.1f} ms")
    print(
        f"certificate, Chinese name         median {chinese:7.1f} ms  "
        f"({chinese / minimal:.1f} x minimal page, {chinese / tuned:.1f} x our minimal page)"
    )
    print(f"first (cold) certificate render         {cold:7.1f} ms")

    samples = []
    for i in range(args.renders):
        render_one(NAMES[i % len(NAMES)], i)
        if i % (args.renders // 10 or 1) == 0:
            samples.append(rss_mb())
    samples.append(rss_mb())
    print(
        f"RSS across {args.renders} renders (MB, every {args.renders // 10}): "
        + " ".join(f"{m:.0f}" for m in samples)
    )
    growth = samples[-1] - samples[1]
    print(f"  growth from render {args.renders // 10} to the end: {growth:+.1f} MB")

    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        sizes = list(
            pool.map(
                render_one,
                [NAMES[i % len(NAMES)] for i in range(args.batch)],
                range(args.batch),
                chunksize=10,
            )
        )
    batch = time.perf_counter() - t0
    print(
        f"batch of {args.batch} certificates on 2 processes: {batch:.2f} s "
        f"({sum(sizes) / 1e6:.1f} MB of PDF)"
    )


if __name__ == "__main__":
    main()
