# The seeds' spinner_asyncio.py, in today's syntax (async/await instead of
# @asyncio.coroutine and yield from; create_task instead of asyncio.async).
import asyncio
import sys


async def spin(msg):
    write, flush = sys.stdout.write, sys.stdout.flush
    status = ''
    i = 0
    while True:
        status = '|/-\\'[i % 4] + ' ' + msg
        i += 1
        write(status)
        flush()
        write('\x08' * len(status))
        try:
            await asyncio.sleep(.1)
        except asyncio.CancelledError:
            break
    write(' ' * len(status) + '\x08' * len(status))


async def slow_function():
    await asyncio.sleep(3)
    return 42


async def supervisor():
    spinner = asyncio.create_task(spin('thinking!'))
    print('spinner object:', spinner)
    result = await slow_function()
    spinner.cancel()
    return result


def main():
    loop = asyncio.new_event_loop()
    result = loop.run_until_complete(supervisor())
    loop.close()
    print('Answer:', result)


if __name__ == '__main__':
    main()
