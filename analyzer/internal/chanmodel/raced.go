package chanmodel

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

// A select that leaves by a case on another channel (a stop channel, a
// context's Done, a timer) while another goroutine already waits on the
// channel for one of its cases has raced: the spec picks among the ready
// cases at random, so a call that began while the object was live can
// block forever because the object stopped meanwhile (Close while Send is
// in flight). The explorer records, for the goroutine leaving, which
// goroutines waited for it then (gor.raced), so that a witness tells
// (Exit.Raced) a race from an operation reached only after the select was
// left (a call after Close: lifecycle misuse, which the field harness
// keeps silent).

// racing returns the goroutines of s other than i that wait on the
// channel at an operation of the other kind than one of i's parked
// select cases: they began before i leaves its select.
func (e *explorer) racing(s *state, i int) []int {
	var with []int
	for j, h := range s.gs {
		if j == i {
			continue
		}
	other:
		for _, p := range h.parked {
			for _, o := range s.gs[i].parked {
				if sendKind(o.kind) != sendKind(p.kind) && p.kind != chanuse.Close && o.kind != chanuse.Close {
					with = append(with, j)
					break other
				}
			}
		}
	}
	return with
}

// sendKind reports whether k puts a value into the channel.
func sendKind(k chanuse.Kind) bool {
	return k == chanuse.Send || k == chanuse.SelectSend
}

// racedWith reports whether goroutine j waited for g when g left its
// select by another case.
func (g *gor) racedWith(j int) bool {
	for _, r := range g.raced {
		if r == j {
			return true
		}
	}
	return false
}

// racedKey encodes g.raced for the visited set: a state reached by the
// race and the same state reached in the other order differ in what a
// witness may report.
func (g *gor) racedKey() string {
	if len(g.raced) == 0 {
		return ""
	}
	return fmt.Sprintf("r%v", g.raced)
}

// raceFirst reports whether the stuck goroutine i of s, at an operation
// (k) that already has a witness, has one of the other goroutines raced
// with it, which the first witness did not: in a harness with clients
// (CheckClient, CheckCaller) the raced witness is the one worth
// reporting, and breadth first may find the other order first.
func (e *explorer) raceFirst(s *state, i int, k opKey) bool {
	if e.m.then == nil || e.racedOp[k] {
		return false
	}
	for j, h := range s.gs {
		if j != i && h.other && h.racedWith(i) {
			return true
		}
	}
	return false
}
