"""CPython's generators on the work of coro_test.go and ../rewrite: ns per
next(), send() and per generator made, started and closed, and the bytes
a suspended generator holds.

    python3 bench/coro/generators.py           # a table
    python3 bench/coro/generators.py --json    # {"python": ..., "results": {name: {unit: value}}}

send() drives a running total: the body of BenchmarkCoroSend and of
bench/rewrite's Summer.
"""
import gc
import json
import sys
import timeit
import tracemalloc


def counter():
    i = 0
    while True:
        yield i
        i += 1


def summer():
    total = 0
    while True:
        total += yield total


def create():
    def g():
        yield 1
    x = g()
    next(x)
    x.close()


def suspended(n=10_000):
    """Bytes per summer suspended after a send: every traced allocation,
    frames included (bench/rewrite's Suspended10k benchmarks)."""
    gens = [None] * n
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        g = summer()
        next(g)
        g.send(1)
        gens[i] = g
    gc.collect()
    per = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    return per


def bench(stmt, setup_globals, number=2_000_000):
    """Best of 5 runs of stmt, in ns per execution."""
    best = min(timeit.repeat(stmt, globals=setup_globals, number=number, repeat=5))
    return best / number * 1e9


def figures():
    g = counter()
    s = summer()
    next(s)
    return {
        "CPythonNext": {"ns/op": bench("nx(g)", {"nx": next, "g": g})},
        "CPythonSend": {"ns/op": bench("snd(1)", {"snd": s.send})},
        "CPythonCreate": {"ns/op": bench("create()", {"create": create}, number=500_000)},
        "CPythonSuspended": {"bytes/gen": suspended()},
    }


def main():
    figs = figures()
    if "--json" in sys.argv:
        json.dump({"python": sys.version.split()[0], "results": figs}, sys.stdout)
        print()
        return
    for name, units in figs.items():
        for unit, v in units.items():
            print(f"{name:<24} {v:8.1f} {unit}")


if __name__ == "__main__":
    main()
