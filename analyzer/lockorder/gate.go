package lockorder

import "strings"

// Gate locks (as lockdep's): two functions that take A then B and B then
// A cannot deadlock when both hold a third lock G meanwhile, at least one
// of them for writing: the second waits for G before it takes its first
// lock. nats-server's signalConsumers matches the consumers sublist under
// the stream's clsMu read lock and runs a callback that locks a consumer,
// while swapSigSubs holds clsMu for writing, then the consumer's lock,
// then the sublist's: clsMu keeps them apart. Each order edge keeps the
// other locks held when it was made, and an inversion is reported only
// for a pair of edges that share no such gate.

// maxGated bounds the edges kept per lock pair.
const maxGated = 16

// gatesOf returns the locks of s other than h and li, by field key (or
// class, for a package variable), and whether each is only read-locked.
func gatesOf(s *state, h, li *lockInfo) map[string]bool {
	var g map[string]bool
	for _, o := range s.held {
		if o == h || o == li || o.inst == h.inst || o.inst == li.inst || o.once != "" {
			continue
		}
		k := o.fkey
		if k == "" {
			k = o.class
		}
		if k == "" || k == h.fkey || k == li.fkey {
			continue
		}
		if g == nil {
			g = map[string]bool{}
		}
		if read, ok := g[k]; !ok || read {
			g[k] = o.read
		}
	}
	return g
}

// addGated appends e to the edges of its pair, keeping at most maxGated
// and only one without gates.
func addGated(es []*edge, e *edge) []*edge {
	if len(es) >= maxGated {
		return es
	}
	if len(e.gates) == 0 {
		for _, o := range es {
			if len(o.gates) == 0 {
				return es
			}
		}
	}
	return append(es, e)
}

// gated reports whether a and b share a gate lock that at least one of
// them holds for writing.
func gated(a, b *edge) bool {
	for k, ra := range a.gates {
		if rb, ok := b.gates[k]; ok && !(ra && rb) {
			return true
		}
	}
	return false
}

// ungated returns a pair of edges, one of each order, that no gate lock
// keeps apart, preferring the first recorded; nil if every pair is gated.
func ungated(ab, ba []*edge) (*edge, *edge) {
	for _, x := range ab {
		for _, y := range ba {
			if !gated(x, y) {
				return x, y
			}
		}
	}
	return nil, nil
}

// genericClass reports whether a lock class is a field of a generic type
// ("gsl.GenericSublist[T].RWMutex"): its instantiations are different
// types, so the class does not name one kind of object (nats-server's
// consumer filters and stream signal sublists are both GenericSublists).
// Such locks order nothing by class; by instance they still do.
func genericClass(fkey string) bool {
	return strings.Contains(fkey, "[")
}
