# CPython's behaviour for generator close and throw edge cases (PEP 342,
# PEP 380), printed one step a line; close_test.go runs the same scenarios
# with coro and compares with close_semantics.golden, which this prints.
import inspect


def state(g):
    return inspect.getgeneratorstate(g)[len("GEN_"):].lower()


def outcome(f):
    try:
        v = f()
    except StopIteration:
        return "stop"
    except RuntimeError as e:
        assert str(e) == "generator ignored GeneratorExit", e
        return "ignored-exit"
    except GeneratorExit:
        return "exit"
    except TypeError:
        return "throw-nil"
    except ValueError as e:
        return "error " + str(e)
    return "nil" if v is None else "value " + str(v)


def step(name, what, g, f):
    print(f"{name}: {what} -> {outcome(f)}, {state(g)}")


def inner():
    try:
        yield 1
    finally:
        raise ValueError("cleanup")


# The sub-generator's clean-up fails during close; the delegator catches
# the error at its yield from and returns: close succeeds.
def catches():
    try:
        yield from inner()
    except ValueError as e:
        print("catches: caught", e)
        return "handled"


g = catches(); next(g)
step("catches", "close", g, g.close)


# The same three levels deep: the middle lets it through.
def middle():
    return (yield from inner())


def top():
    try:
        yield from middle()
    except ValueError:
        return "top handled"


g = top(); next(g)
step("chain", "close", g, g.close)


# The delegator catches the error and yields: it ignored the exit.
def catches_and_yields():
    try:
        yield from inner()
    except ValueError:
        yield 2


g = catches_and_yields(); next(g)
step("yields", "close", g, g.close)
step("yields", "next", g, lambda: next(g))


# Nobody catches: close raises the clean-up's error.
def uncaught():
    yield from inner()


g = uncaught(); next(g)
step("uncaught", "close", g, g.close)


# The sub closes cleanly: GeneratorExit is raised in the delegator, which
# may catch it and return.
def clean():
    yield 1


def catches_exit():
    try:
        yield from clean()
    except GeneratorExit:
        return "caught exit"


g = catches_exit(); next(g)
step("catches-exit", "close", g, g.close)


# A generator that ignores GeneratorExit once stays suspended and runs on.
def ignore_once():
    ignored = False
    n = 1
    while True:
        try:
            yield n
        except GeneratorExit:
            if ignored:
                raise
            ignored = True
        n += 1


g = ignore_once(); next(g)
step("ignorer", "close", g, g.close)
step("ignorer", "next", g, lambda: next(g))
step("ignorer", "close", g, g.close)


# Yielding in a finally while closing: resuming finishes the finally and
# the GeneratorExit goes on, out of next.
def finally_yields():
    try:
        yield 1
    finally:
        yield 99


g = finally_yields(); next(g)
step("finally", "close", g, g.close)
step("finally", "next", g, lambda: next(g))
g = finally_yields(); next(g)
step("finally-twice", "close", g, g.close)
step("finally-twice", "close", g, g.close)


# throw(None) is a TypeError that leaves the generator as it was.
def two():
    yield 1
    yield 2


g = two(); next(g)
step("throw-nil", "throw", g, lambda: g.throw(None))
step("throw-nil", "next", g, lambda: next(g))
g = two()
step("throw-nil-created", "throw", g, lambda: g.throw(None))
step("throw-nil-created", "next", g, lambda: next(g))
g = two(); list(g)
step("throw-nil-closed", "throw", g, lambda: g.throw(None))
