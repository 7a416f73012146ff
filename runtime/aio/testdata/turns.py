"""Which turn of the loop each combinator resumes its awaiter in, beside a
task that ticks once a turn: the reference for runtime/aio's
turns_test.go. CPython 3.11 to 3.13 print the same."""

import asyncio


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep(0)


async def child(name, k, fail=False):
    for _ in range(k):
        await asyncio.sleep(0)
    print(name, "done")
    if fail:
        raise ValueError(name)
    return name


async def section(name, body):
    print("--", name)
    tk = asyncio.create_task(ticker(8))
    await asyncio.sleep(0)
    await body()
    await tk


async def sleep_tie():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_later(1, fut.set_result, None)

    async def sleeper():
        await asyncio.sleep(1)
        print("sleeper woke")

    async def waiter():
        await fut
        print("future waiter woke")

    await asyncio.gather(sleeper(), waiter())


async def await_task():
    print("task ->", await asyncio.create_task(child("a", 1)))


async def gather():
    print("gather ->", await asyncio.gather(child("a", 1), child("b", 2)))


async def wait_first():
    ts = [asyncio.create_task(child("a", 1)), asyncio.create_task(child("b", 3))]
    done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
    print("wait first ->", len(done), len(pending))
    await ts[1]


async def wait_all():
    ts = [asyncio.create_task(child("a", 1)), asyncio.create_task(child("b", 2))]
    done, pending = await asyncio.wait(ts)
    print("wait all ->", len(done), len(pending))


async def wait_done():
    t = asyncio.create_task(child("a", 0))
    await asyncio.sleep(0)
    done, pending = await asyncio.wait([t])
    print("wait done ->", len(done), len(pending))


async def shield():
    print("shield ->", await asyncio.shield(child("a", 1)))


async def as_completed():
    ts = [asyncio.create_task(child("a", 2)), asyncio.create_task(child("b", 1))]
    for f in asyncio.as_completed(ts):
        print("as_completed ->", await f)


async def task_group():
    async with asyncio.TaskGroup() as g:
        g.create_task(child("a", 1))
        g.create_task(child("b", 2))
    print("task group done")


async def task_group_fails():
    try:
        async with asyncio.TaskGroup() as g:
            g.create_task(child("a", 1, fail=True))
            g.create_task(child("b", 1, fail=True))
            g.create_task(child("c", 3))
    except* ValueError as eg:
        print("task group errors", sorted(str(e) for e in eg.exceptions))


async def timeout():
    try:
        async with asyncio.timeout(0.5):
            await child("a", 1)
            await asyncio.sleep(1)
    except TimeoutError:
        print("timeout -> TimeoutError")


async def main():
    for name, body in [
        ("sleep tie", sleep_tie),
        ("await task", await_task),
        ("gather", gather),
        ("wait first", wait_first),
        ("wait all", wait_all),
        ("wait done", wait_done),
        ("shield", shield),
        ("as_completed", as_completed),
        ("task group", task_group),
        ("task group fails", task_group_fails),
        ("timeout", timeout),
    ]:
        await section(name, body)


asyncio.run(main())
