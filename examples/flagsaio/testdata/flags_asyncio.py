# The seeds' flags_asyncio.py / flags2_asyncio.py with asyncio's own
# streams instead of aiohttp (not in the standard library): argv[1] is the
# base URL of the local flag server, argv[2] the directory to save into.
import asyncio
import os
import sys
import time
from urllib.parse import urlsplit

POP20_CC = ('CN IN US ID BR P1K NG BD RU JP MX PH VN ET EG DE IR TR CD FR').split()
BASE_URL, DEST_DIR = sys.argv[1], sys.argv[2]
MAX_CONCUR_REQ = 20


class NotFound(Exception):
    pass


def save_flag(img, filename):
    with open(os.path.join(DEST_DIR, filename), 'wb') as fp:
        fp.write(img)


async def http_get(url):
    u = urlsplit(url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port)
    try:
        writer.write(f'GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nConnection: close\r\n\r\n'.encode())
        await writer.drain()
        status = (await reader.readline()).split()
        length = -1
        while True:
            line = (await reader.readline()).rstrip(b'\r\n')
            if not line:
                break
            k, _, v = line.decode().partition(':')
            if k.lower() == 'content-length':
                length = int(v)
        if status[1] == b'404':
            raise NotFound
        if status[1] != b'200':
            raise RuntimeError(status)
        return await (reader.readexactly(length) if length >= 0 else reader.read())
    finally:
        writer.close()


async def download_one(cc, semaphore):
    async with semaphore:
        image = await http_get('{}/{cc}/{cc}.gif'.format(BASE_URL, cc=cc.lower()))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, save_flag, image, cc.lower() + '.gif')
    return cc


async def download_many(cc_list):
    semaphore = asyncio.Semaphore(MAX_CONCUR_REQ)
    todo = [asyncio.create_task(download_one(cc, semaphore), name=cc) for cc in sorted(cc_list)]
    ok = not_found = 0
    got = []
    for fut in asyncio.as_completed(todo):
        try:
            cc = await fut
        except NotFound:
            not_found += 1
            continue
        ok += 1
        got.append(cc)
    got += [t.get_name() + '?' for t in todo if t.done() and not t.cancelled() and isinstance(t.exception(), NotFound)]
    print('asyncio streams: ' + ' '.join(sorted(got)) + ' ')
    return ok, not_found


def main():
    t0 = time.time()
    ok, not_found = asyncio.run(download_many(POP20_CC))
    print(f'{ok} flags downloaded, {not_found} not found')
    print('asyncio streams: {:.2f}s'.format(time.time() - t0), file=sys.stderr)


main()
