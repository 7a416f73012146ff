# The seeds' asyncio wget (v10), with async/await, connecting to the
# local server given as argv[1] argv[2] and sending the seed's host names.
import asyncio
import sys

ADDR, PORT = sys.argv[1], int(sys.argv[2])


async def wget(host):
    print('wget %s...' % host)
    reader, writer = await asyncio.open_connection(ADDR, PORT)
    header = 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' % host
    writer.write(header.encode('utf-8'))
    await writer.drain()
    while True:
        line = await reader.readline()
        if line == b'\r\n':
            break
        print('%s header > %s' % (host, line.decode('utf-8').rstrip()))
    # Ignore the body, close the socket
    writer.close()


async def main():
    tasks = [asyncio.create_task(wget(host)) for host in ['www.sina.com.cn', 'www.sohu.com', 'www.163.com']]
    await asyncio.wait(tasks)

asyncio.run(main())
