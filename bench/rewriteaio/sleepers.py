"""CPython's asyncio on the work of bench/rewriteaio's Sleepers benchmarks:
hold many tasks asleep at once and report the process's peak resident
memory.

    python3 bench/rewriteaio/sleepers.py [-n N]   # a table
    python3 bench/rewriteaio/sleepers.py --json   # {"python": ..., "results": {name: {unit: value}}}

N is -n, else ASYNCGO_SLEEPERS, else 10,000 (make bench sets 1,000,000).
The figures are those of the Go benchmarks: peak-MiB and measured-peak-MiB
(VmHWM: the interpreter always holds all N tasks), rss-bytes/task
(the peak over the RSS before the first task, per task), tasks, and
start-ns/task (creating and starting them all). The measurement runs in a
new interpreter of its own, so that nothing else has raised the peak.
"""
import asyncio
import gc
import json
import os
import subprocess
import sys
import time


def status(key):
    """A memory figure of /proc/self/status, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


async def sleeper():
    await asyncio.sleep(3600)


async def hold(n):
    gc.collect()
    before = status("VmRSS")
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
    await asyncio.sleep(0)  # each task runs to its sleep
    took = time.perf_counter() - t0
    peak = status("VmHWM")
    asleep = sum(not t.done() for t in tasks)
    if asleep != n:
        raise RuntimeError(f"{asleep} of {n} tasks asleep")
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "peak-MiB": peak / (1 << 20),
        "measured-peak-MiB": peak / (1 << 20),
        "rss-bytes/task": (peak - before) / n,
        "tasks": n,
        "start-ns/task": took / n * 1e9,
    }


def count():
    if "-n" in sys.argv:
        return int(sys.argv[sys.argv.index("-n") + 1])
    return int(os.environ.get("ASYNCGO_SLEEPERS", "10000"))


def main():
    if "--child" in sys.argv:
        json.dump(asyncio.run(hold(count())), sys.stdout)
        return
    args = [sys.executable, os.path.abspath(__file__), "--child", "-n", str(count())]
    figs = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    if "--json" in sys.argv:
        json.dump({"python": sys.version.split()[0], "results": {"Sleepers": figs}}, sys.stdout)
        print()
        return
    print(f"CPython {sys.version.split()[0]} asyncio, {figs['tasks']:,} tasks asleep at once")
    for unit, v in figs.items():
        print(f"{unit:<16} {v:12.1f}")


if __name__ == "__main__":
    main()
