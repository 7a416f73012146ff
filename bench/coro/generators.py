"""CPython's generators on the work of coro_test.go: ns per next() and send()."""
import timeit


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


def bench(name, stmt, setup_globals, number=2_000_000):
    best = min(timeit.repeat(stmt, globals=setup_globals, number=number, repeat=5))
    print(f"{name:<24} {best / number * 1e9:8.1f} ns/op")


g = counter()
bench("CPythonNext", "nx(g)", {"nx": next, "g": g})
s = summer()
next(s)
bench("CPythonSend", "snd(1)", {"snd": s.send})
bench("CPythonCreate", "create()", {"create": create}, number=500_000)
