"""asyncio.Barrier's documented example, then reset, abort and a cancelled
waiter: the reference for runtime/aio's TestBarrierMatchesAsyncio."""

import asyncio
import re


def show(b):
    print(re.sub(r"<asyncio.locks.Barrier object at 0x[0-9a-f]+", "<Barrier", repr(b)))


async def waiter(b, name):
    try:
        i = await b.wait()
        print(name, "passed", i)
    except asyncio.BrokenBarrierError:
        print(name, "broken")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def main():
    # The example of asyncio's documentation.
    b = asyncio.Barrier(3)
    ts = [asyncio.create_task(waiter(b, "a")), asyncio.create_task(waiter(b, "b"))]
    await asyncio.sleep(0)
    show(b)
    print("main passed", await b.wait())
    show(b)
    await asyncio.sleep(0)
    show(b)
    await asyncio.gather(*ts)

    # Reset while two wait: they get BrokenBarrierError; the barrier is
    # usable again.
    ts = [asyncio.create_task(waiter(b, "c")), asyncio.create_task(waiter(b, "d"))]
    await asyncio.sleep(0)
    await b.reset()
    show(b)
    await asyncio.gather(*ts)
    show(b)

    # A waiter cancelled while filling leaves; the others still pass.
    ts = [asyncio.create_task(waiter(b, n)) for n in "ef"]
    await asyncio.sleep(0)
    ts[0].cancel()
    await asyncio.sleep(0)
    show(b)
    ts.append(asyncio.create_task(waiter(b, "g")))
    i = await b.wait()
    await asyncio.gather(*ts, return_exceptions=True)
    print("main passed", i)
    show(b)

    # Abort breaks it for good.
    ts = [asyncio.create_task(waiter(b, "h"))]
    await asyncio.sleep(0)
    await b.abort()
    await asyncio.gather(*ts)
    show(b)
    try:
        await b.wait()
    except asyncio.BrokenBarrierError:
        print("main broken", b.broken)


asyncio.run(main())
