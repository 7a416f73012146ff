"""The taxi discrete-event simulation (shared/seeds 002 ch.16 §9, after
Fluent Python's taxi_sim.py). Durations come from a small linear
congruential generator instead of random.expovariate, so that the Go port
can draw the same numbers and the two outputs can be compared byte for byte.
"""
import collections
import queue
import sys

Event = collections.namedtuple('Event', 'time proc action')

DEPARTURE_INTERVAL = 5
SEARCH_DURATION = 5
TRIP_DURATION = 20


def taxi_process(ident, trips, start_time=0):
    """Yield to simulator issuing event at each state change"""
    time = yield Event(start_time, ident, 'leave garage')
    for i in range(trips):
        time = yield Event(time, ident, 'pick up passenger')
        time = yield Event(time, ident, 'drop off passenger')
    yield Event(time, ident, 'going home')


class LCG:
    def __init__(self, seed):
        self.x = seed

    def next(self):
        self.x = (self.x * 1103515245 + 12345) % 2**31
        return self.x


def compute_duration(rng, previous_action):
    if previous_action in ['leave garage', 'drop off passenger']:
        interval = SEARCH_DURATION
    elif previous_action == 'pick up passenger':
        interval = TRIP_DURATION
    elif previous_action == 'going home':
        interval = 1
    else:
        raise ValueError('Unknown previous_action: %s' % previous_action)
    return 1 + rng.next() % (2 * interval)


class Simulator:
    def __init__(self, procs_map, rng):
        self.events = queue.PriorityQueue()
        self.procs = dict(procs_map)
        self.rng = rng

    def run(self, end_time):
        for _, proc in sorted(self.procs.items()):
            first_event = next(proc)
            self.events.put(first_event)

        sim_time = 0
        while sim_time < end_time:
            if self.events.empty():
                print('*** end of events ***')
                break
            current_event = self.events.get()
            sim_time, proc_id, previous_action = current_event
            print('taxi:', proc_id, proc_id * '  ', current_event)
            active_proc = self.procs[proc_id]
            next_time = sim_time + compute_duration(self.rng, previous_action)
            try:
                next_event = active_proc.send(next_time)
            except StopIteration:
                del self.procs[proc_id]
            else:
                self.events.put(next_event)
        else:
            msg = '*** end of simulation time: {} events pending ***'
            print(msg.format(self.events.qsize()))


def main(end_time, num_taxis, seed):
    taxis = {i: taxi_process(i, (i + 1) * 2, i * DEPARTURE_INTERVAL)
             for i in range(num_taxis)}
    Simulator(taxis, LCG(seed)).run(end_time)


if __name__ == '__main__':
    end_time, num_taxis, seed = (int(a) for a in sys.argv[1:4])
    main(end_time, num_taxis, seed)
