"""CPython's asyncio on the work of bench/aio/aio_test.go.

    python3 bench/aio/asyncio_bench.py         # asyncio only
    python3 bench/aio/asyncio_bench.py --go    # and the Go benchmarks, side by side
    python3 bench/aio/asyncio_bench.py --json  # {"python": ..., "results": {name: {unit: value}}}

Figures: ns per task created and awaited, per coroutine awaited (run
in the awaiting task, no task of its own), per task gathered, per
sleep(0) switch, and the memory of 100,000 tasks suspended in sleep
(bytes per task, from tracemalloc: every Python object the tasks hold,
frames included).
"""
import asyncio
import gc
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc


async def noop():
    return 1


async def create_await(n):
    t0 = time.perf_counter()
    for _ in range(n):
        await asyncio.create_task(noop())
    return (time.perf_counter() - t0) / n


async def await_coroutine(n):
    t0 = time.perf_counter()
    for _ in range(n):
        await noop()
    return (time.perf_counter() - t0) / n


async def pass_(d):
    if d == 0:
        return await noop()
    return await pass_(d - 1)


async def await_chain(n):
    # The Go AwaitChain: pass_(2) awaits pass_(1), pass_(0), then noop.
    t0 = time.perf_counter()
    for _ in range(n):
        await pass_(2)
    return (time.perf_counter() - t0) / n


async def gather(n):
    t0 = time.perf_counter()
    for _ in range(n // 1000):
        await asyncio.gather(*[asyncio.create_task(noop()) for _ in range(1000)])
    return (time.perf_counter() - t0) / n


async def sleep0(n):
    t0 = time.perf_counter()
    for _ in range(n):
        await asyncio.sleep(0)
    return (time.perf_counter() - t0) / n


async def ping_pong(n):
    async def other():
        for _ in range(n // 2):
            await asyncio.sleep(0)
    t0 = time.perf_counter()
    o = asyncio.create_task(other())
    for _ in range(n // 2):
        await asyncio.sleep(0)
    await o
    return (time.perf_counter() - t0) / n


async def sleeping_tasks(n, trace):
    """Time to start n sleeping tasks, or (with trace) their memory."""
    async def sleeper():
        await asyncio.sleep(3600)
    gc.collect()
    if trace:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
    await asyncio.sleep(0)  # every task starts and suspends
    result = (time.perf_counter() - t0) / n * 1e9
    if trace:
        gc.collect()
        result = (tracemalloc.get_traced_memory()[0] - before) / n
        tracemalloc.stop()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result


def best(coro_fn, n, repeat=3):
    return min(asyncio.run(coro_fn(n)) for _ in range(repeat))


def python_figures():
    return {
        "TaskCreateAwait": ("ns/op", best(create_await, 200_000) * 1e9),
        "TaskGather": ("ns/op", best(gather, 200_000) * 1e9),
        "AwaitCoroutine": ("ns/op", best(await_coroutine, 1_000_000) * 1e9),
        "AwaitChain": ("ns/op", best(await_chain, 500_000) * 1e9),
        "Sleep0": ("ns/op", best(sleep0, 500_000) * 1e9),
        "Sleep0PingPong": ("ns/op", best(ping_pong, 500_000) * 1e9),
        "SleepingTasks100k": ("bytes/task", asyncio.run(sleeping_tasks(100_000, True))),
        "SleepingTasks100k start": ("ns/task", asyncio.run(sleeping_tasks(100_000, False))),
    }


def go_figures(benchtime):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run(
        ["go", "test", "-run", "^$", "-bench", ".", "-benchtime", benchtime, "./bench/aio/"],
        cwd=root, check=True, capture_output=True, text=True).stdout
    figs = {}
    for line in out.splitlines():
        m = re.match(r"Benchmark(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)", line)
        if not m:
            continue
        name, ns, rest = m.group(1), float(m.group(3)), m.group(4)
        figs[name] = ("ns/op", ns)
        b = re.search(r"([\d.]+) bytes/task", rest)
        if b:
            figs[name] = ("bytes/task", float(b.group(1)))
            figs[name + " start"] = ("ns/task", ns / 100_000)
    return figs


def main():
    py = python_figures()
    if "--json" in sys.argv:
        results = {name: {unit: v} for name, (unit, v) in py.items()}
        json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout)
        print()
        return
    print(f"CPython {sys.version.split()[0]} asyncio")
    if "--go" not in sys.argv:
        for name, (unit, v) in py.items():
            print(f"{name:<32} {v:10.1f} {unit}")
        return
    go = go_figures(os.environ.get("BENCHTIME", "1s"))
    print(f"{'benchmark':<32} {'asyncio':>10} {'aio (Go)':>10}  {'unit':<10} {'asyncio/aio':>11}")
    for name, (unit, v) in py.items():
        if name in go:
            g = go[name][1]
            print(f"{name:<32} {v:10.1f} {g:10.1f}  {unit:<10} {v / g:10.1f}x")
    for name, (unit, g) in go.items():
        if name not in py:
            print(f"{name:<32} {'':>10} {g:10.1f}  {unit:<10}")


if __name__ == "__main__":
    main()
