package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const roomSrc = `package p

type w struct{ ch chan int }

func empty(w *w)       { if len(w.ch) == 0 { w.ch <- 1 } }
func belowCap(w *w)    { if len(w.ch) < cap(w.ch) { w.ch <- 1 } }
func below(w *w)       { if len(w.ch) < 4 { w.ch <- 1 } }
func atMost(w *w)      { if 2 >= len(w.ch) { w.ch <- 1 } }
func early(w *w) {
	if len(w.ch) > 0 {
		return
	}
	w.ch <- 1
}
func none(w *w)        { w.ch <- 1 }
func full(w *w)        { if len(w.ch) == cap(w.ch) { w.ch <- 1 } }
func other(w, v *w)    { if len(v.ch) == 0 { w.ch <- 1 } }
func twice(w *w) {
	if len(w.ch) == 0 {
		w.ch <- 1
		w.ch <- 2
	}
}
func loop(w *w, n int) {
	if len(w.ch) == 0 {
		for i := 0; i < n; i++ {
			w.ch <- i
		}
	}
}
`

// A send is room-checked only after a test of its own channel's length
// that leaves room, with no other send on the way and no loop back to it.
func TestRoomChecked(t *testing.T) {
	pkg := build(t, roomSrc)
	for name, want := range map[string]int{
		"empty": 1, "belowCap": 1, "below": 4, "atMost": 3, "early": 1,
		"none": 0, "full": 0, "other": 0, "twice": 0, "loop": 0,
	} {
		var got []int
		for _, b := range pkg.Func(name).Blocks {
			for _, in := range b.Instrs {
				if s, ok := in.(*ssa.Send); ok {
					got = append(got, chanuse.RoomChecked(s))
				}
			}
		}
		if len(got) == 0 {
			t.Fatalf("%s: no send", name)
		}
		if got[0] != want {
			t.Errorf("%s: RoomChecked = %v, want %d", name, got, want)
		}
	}
}
