"""CPython's concurrent.futures on the work of futures_test.go: ns per task
for submit + result on a ThreadPoolExecutor, map, and a ProcessPoolExecutor
round trip (one task at a time) and map with chunksize=100."""
import os
import time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor


def work(i):
    return i * 2


def per_task(name, fn, n):
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        fn(n)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(f"{name:<32} {best / n * 1e9:10.0f} ns/task")


def main():
    workers = min(32, (os.cpu_count() or 1) + 4)
    with ThreadPoolExecutor(workers) as pool:
        def submit_result(n):
            fs = [pool.submit(work, i) for i in range(n)]
            for f in fs:
                f.result()
        per_task("ThreadPoolExecutor submit+result", submit_result, 100_000)
        per_task("ThreadPoolExecutor map", lambda n: list(pool.map(work, range(n))), 100_000)
    with ProcessPoolExecutor(1) as pool:
        pool.submit(work, 0).result()
        def round_trip(n):
            for i in range(n):
                pool.submit(work, i).result()
        per_task("ProcessPoolExecutor round trip", round_trip, 2_000)
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(work, range(2)))
        per_task("ProcessPoolExecutor map chunks", lambda n: list(pool.map(work, range(n), chunksize=100)), 100_000)


if __name__ == "__main__":
    main()
