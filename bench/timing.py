"""What the benchmarks share: the median wall time of a call."""

import statistics
import time
from collections.abc import Callable


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def interleaved_medians_ms(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Each call's median, the calls taken in turn (a, b, c, a, b, c, ...) so that a change in
    the machine's load falls on all of them alike, which keeps their ratios honest."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) * 1000 for name, t in times.items()}
