# The seeds' hello world for asyncio, with async/await (v11), printing
# the task's name where the seed printed the thread; argv[1] is the
# sleep in seconds.
import asyncio
import sys
import time

DELAY = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


async def hello():
    print('Hello world! (%s)' % asyncio.current_task().get_name())
    await asyncio.sleep(DELAY)
    print('Hello again! (%s)' % asyncio.current_task().get_name())


async def main():
    tasks = [asyncio.create_task(hello()), asyncio.create_task(hello())]
    await asyncio.wait(tasks)


loop = asyncio.new_event_loop()
start = loop.time()
loop.run_until_complete(main())
elapsed = round(loop.time() - start, 1)
loop.close()
print('both done after %s' % ('%gs' % elapsed if elapsed >= 1 else '%dms' % round(elapsed * 1000)))
