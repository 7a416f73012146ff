"""CPython's concurrent.futures on the work of futures_test.go: ns per task
for submit + result on a ThreadPoolExecutor, map, and a ProcessPoolExecutor
round trip (one task at a time) and map with chunksize=100.

    python3 bench/futures/threadpool.py           # a table
    python3 bench/futures/threadpool.py --json    # {"python": ..., "results": {name: {unit: value}}}
"""
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor


def work(i):
    return i * 2


def per_task(fn, n):
    """Best of 3 runs of fn(n), in ns per task."""
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        fn(n)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    return best / n * 1e9


def figures():
    figs = {}
    workers = min(32, (os.cpu_count() or 1) + 4)
    with ThreadPoolExecutor(workers) as pool:
        def submit_result(n):
            fs = [pool.submit(work, i) for i in range(n)]
            for f in fs:
                f.result()
        figs["ThreadPoolSubmitResult"] = {"ns/op": per_task(submit_result, 100_000)}
        figs["ThreadPoolMap"] = {"ns/op": per_task(lambda n: list(pool.map(work, range(n))), 100_000)}
    with ProcessPoolExecutor(1) as pool:
        pool.submit(work, 0).result()
        def round_trip(n):
            for i in range(n):
                pool.submit(work, i).result()
        figs["ProcessPoolRoundTrip"] = {"ns/op": per_task(round_trip, 2_000)}
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(work, range(2)))
        figs["ProcessPoolMapChunks"] = {
            "ns/op": per_task(lambda n: list(pool.map(work, range(n), chunksize=100)), 100_000)}
    return figs


def main():
    figs = figures()
    if "--json" in sys.argv:
        json.dump({"python": sys.version.split()[0], "results": figs}, sys.stdout)
        print()
        return
    for name, units in figs.items():
        for unit, v in units.items():
            print(f"{name:<32} {v:10.0f} {unit}")


if __name__ == "__main__":
    main()
