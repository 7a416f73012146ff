# The reference for examples/parallelize: python-parallelize spreads a for
# loop over processes with multiprocessing; Pool.imap gives the same
# parallel work with the results in order, as the Go port's loop body
# sees them.
import multiprocessing


def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def parse(s):
    try:
        return int(s), None
    except ValueError:
        return 0, 'strconv.Atoi: parsing "%s": invalid syntax' % s


def total(pool, items):
    s = 0
    for i, (n, err) in enumerate(pool.imap(parse, items)):
        if err is not None:
            return s, "item %d: %s" % (i, err)
        s += n
    return s, "<nil>"


def main():
    with multiprocessing.Pool(2) as pool:
        longest, at = 0, 0
        for i, steps in enumerate(pool.imap(collatz, [i + 1 for i in range(100)])):
            print("%d: %d steps" % (i, steps))
            if steps > longest:
                longest, at = steps, i
        print("longest: %d steps, from %d" % (longest, at + 1))

        for items in (["10", "20", "x30", "40", "5o"], ["1", "2", "3"]):
            s, err = total(pool, items)
            print("sum %d, error: %s" % (s, err))

        stock = {"apples": 3, "pears": 14, "plums": 27}
        lines = ["%s: %d -> %d steps" % (fruit, n, steps)
                 for (fruit, n), steps in zip(stock.items(), pool.imap(collatz, stock.values()))]
        for l in sorted(lines):
            print(l)

        for n, steps in zip([97, 871, 6171], pool.imap(collatz, [97, 871, 6171])):
            print("from the channel: %d -> %d steps" % (n, steps))


if __name__ == "__main__":
    main()
