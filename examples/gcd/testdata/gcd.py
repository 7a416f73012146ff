# The seeds' concurrent.futures tour (shared/seeds 000), in Python 3, with
# the output made deterministic: examples/gcd prints the same lines.
from concurrent.futures import (ThreadPoolExecutor, ProcessPoolExecutor,
                                as_completed, wait, ALL_COMPLETED)

numbers = [(1963309, 2265973), (2030677, 3814172), (1551645, 2229620),
           (2039045, 2020802), (1823712, 1924928), (2293129, 1020491),
           (1281238, 2273782), (3823812, 4237281), (3812741, 4729139),
           (1292391, 2123811)]


def gcd(*pair):
    a, b = pair
    if max(a, b) % min(a, b) == 0:
        return min(a, b)
    div, mod = divmod(a, b)
    return gcd(b, mod)


def gcd_pair(pair):
    return gcd(*pair)


def fmt(results):
    return '[' + ' '.join(str(r) for r in results) + ']'


def main():
    for name, cls in (('ThreadPoolExecutor', ThreadPoolExecutor),
                      ('ProcessPoolExecutor', ProcessPoolExecutor)):
        with cls(max_workers=2) as pool:
            print('%s map results: %s' % (name, fmt(pool.map(gcd_pair, numbers))))
            futures = [pool.submit(gcd, *pair) for pair in numbers]
            print('%s submit results: %s' % (name, fmt(f.result() for f in futures)))
            results = []
            for f in as_completed(futures, timeout=2):
                results.append(f.result())
                print('running: %s, done: %s' % (str(f.running()).lower(), str(f.done()).lower()))
            print('%s as_completed results (sorted): %s' % (name, fmt(sorted(results))))
            done, not_done = wait(futures, timeout=2, return_when=ALL_COMPLETED)
            print('%s wait ALL_COMPLETED: %d done, %d not done' % (name, len(done), len(not_done)))


if __name__ == '__main__':
    main()
