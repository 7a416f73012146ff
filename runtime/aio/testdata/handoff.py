"""Cancel waiters of asyncio's synchronization primitives at each point of
the hand-off and print what happens: the reference for runtime/aio's
handoff_test.go. Usage: handoff.py lock|semaphore|bounded|condition|event|queue
"""

import asyncio
import sys

# Where the victims are cancelled, relative to the hand-off (a release, a
# notify, a set, a put or a get) that the main task makes:
#   before: in the same step, just before it (the victim is not yet run);
#   after: in the same step, just after it (woken, then cancelled before it
#          runs);
#   gone: a turn before it (the victim has run and left).
CASES = [
    ("before", ["w1"]),
    ("after", ["w1"]),
    ("gone", ["w1"]),
    ("before", ["w2"]),
    ("after", ["w2"]),
    ("before", ["w1", "w2"]),
    ("after", ["w1", "w2"]),
]
NAMES = ["w1", "w2", "w3", "w4"]


class Box:
    inside = 0
    most = 0


async def turns(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def hold(box, name, limit):
    box.inside += 1
    box.most = max(box.most, box.inside)
    print(name, "in", box.inside)
    if box.inside > limit:
        print("!! more than", limit, "inside")
    await turns(2)
    box.inside -= 1
    print(name, "out")


async def cancel_at(when, tasks, victims, handoff):
    vs = [tasks[NAMES.index(v)] for v in victims]
    if when == "gone":
        for v in vs:
            v.cancel()
        await asyncio.sleep(0)
        handoff()
    elif when == "before":
        for v in vs:
            v.cancel()
        handoff()
    else:
        handoff()
        for v in vs:
            v.cancel()


async def finish(tasks):
    for name, r in zip(NAMES, await asyncio.gather(*tasks, return_exceptions=True)):
        if isinstance(r, asyncio.CancelledError):
            print(name, "cancelled")


async def lock_case(when, victims):
    lock, box = asyncio.Lock(), Box()

    async def worker(name):
        await lock.acquire()
        try:
            await hold(box, name, 1)
        finally:
            lock.release()

    await lock.acquire()
    tasks = [asyncio.create_task(worker(n)) for n in NAMES]
    await asyncio.sleep(0)
    await cancel_at(when, tasks, victims, lock.release)
    await finish(tasks)
    print("most inside", box.most, "locked", lock.locked())


async def semaphore_case(when, victims, bounded=False):
    sem = asyncio.BoundedSemaphore(2) if bounded else asyncio.Semaphore(2)
    box = Box()

    async def worker(name):
        await sem.acquire()
        try:
            await hold(box, name, 2)
        finally:
            sem.release()

    await sem.acquire()
    await sem.acquire()
    tasks = [asyncio.create_task(worker(n)) for n in NAMES]
    await asyncio.sleep(0)

    def release2():
        sem.release()
        sem.release()

    await cancel_at(when, tasks, victims, release2)
    await finish(tasks)
    print("most inside", box.most, "value", sem._value)


async def condition_case(when, victims):
    cond, box = asyncio.Condition(), Box()

    async def worker(name):
        async with cond:
            await cond.wait()
            print(name, "notified")
            await hold(box, name, 1)

    tasks = [asyncio.create_task(worker(n)) for n in NAMES]
    await asyncio.sleep(0)
    await cond.acquire()

    def notify():
        cond.notify(2)
        cond.release()

    await cancel_at(when, tasks, victims, notify)
    await turns(8)
    print("notify_all")
    async with cond:
        cond.notify_all()
    await finish(tasks)
    print("most inside", box.most, "locked", cond.locked())


async def event_case(when, victims):
    ev = asyncio.Event()

    async def worker(name):
        await ev.wait()
        print(name, "woke")

    tasks = [asyncio.create_task(worker(n)) for n in NAMES]
    await asyncio.sleep(0)
    await cancel_at(when, tasks, victims, ev.set)
    await finish(tasks)
    print("set", ev.is_set())


async def queue_case(when, victims):
    q = asyncio.Queue(1)

    async def getter(name):
        print(name, "got", await q.get())

    tasks = [asyncio.create_task(getter(n)) for n in NAMES]
    await asyncio.sleep(0)

    def put2():
        q.put_nowait(1)

    await cancel_at(when, tasks, victims, put2)
    await turns(4)
    for i in range(2, 5):
        if q.full():
            print("full")
            break
        q.put_nowait(i)
        await turns(2)
    print("left", q.qsize())
    for t in tasks:
        t.cancel()
    await finish(tasks)

    # Putters waiting on a full queue, with the same cancellations.
    q = asyncio.Queue(1)
    q.put_nowait(0)

    async def putter(name):
        await q.put(name)
        print(name, "put")

    tasks = [asyncio.create_task(putter(n)) for n in NAMES]
    await asyncio.sleep(0)
    await cancel_at(when, tasks, victims, q.get_nowait)
    await turns(4)
    while not q.empty():
        print("got", q.get_nowait())
        await turns(2)
    for t in tasks:
        t.cancel()
    await finish(tasks)


CASE_FUNCS = {
    "lock": lock_case,
    "semaphore": semaphore_case,
    "bounded": lambda w, v: semaphore_case(w, v, bounded=True),
    "condition": condition_case,
    "event": event_case,
    "queue": queue_case,
}


async def main(kind):
    for when, victims in CASES:
        print("--", kind, "cancel", " ".join(victims), when)
        await CASE_FUNCS[kind](when, victims)


if __name__ == "__main__":
    if sys.argv[1] == "condition" and sys.version_info < (3, 13):
        # Before 3.13 a notification received by a waiter cancelled before
        # it could act was lost (gh-112202).
        print("# condition: needs CPython 3.13, this is", sys.version.split()[0])
        sys.exit(0)
    asyncio.run(main(sys.argv[1]))
