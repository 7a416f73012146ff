// Package bug is a held-out kernel (issue 14): oak's lifecycleLoop guards
// its one-time initialisation with initControl, and on a second start it
// logs "Started lifecycle twice" and returns without unlocking. The next
// goroutine that enters lifecycleLoop (and anything else that takes
// initControl) waits for ever.
//
// Upstream: oakmound/oak#33 ("这个应该会死锁吧？")
// Round: 15
//
// Bug: the issue quotes lifecycleLoop: initControl.Lock(); if
// lifecycleInit { dlog.Error("Started lifecycle twice, aborting second
// call"); return }; lifecycleInit = true; initControl.Unlock(), and says
// "this code will be a deadlock"; the maintainer: "we've put a commit in
// to develop that adds that [the Unlock]". lifecycleLoop, initControl,
// lifecycleInit and the driver's Main running the loop follow
// lifecycle.go; the screen and the loop body are our reduction.
//
// Fix: the early return unlocks initControl first, as the issue's
// "initControl.Unlock //add this line" suggests.
package bug

import (
	"log"
	"sync"
)

// Screen is the window system's screen.
type Screen interface {
	NewWindow() error
}

var (
	initControl   sync.Mutex
	lifecycleInit bool
)

func lifecycleLoop(s Screen) {
	initControl.Lock() // heldout:site
	if lifecycleInit {
		log.Println("Started lifecycle twice, aborting second call")
		return // heldout:site
	}
	lifecycleInit = true
	initControl.Unlock()

	if err := s.NewWindow(); err != nil {
		log.Println(err)
	}
}

// Main runs f with a screen, as the shiny driver does, and waits for it.
func Main(f func(Screen)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(fakeScreen{})
	}()
	<-done // heldout:site
}

type fakeScreen struct{}

func (fakeScreen) NewWindow() error { return nil }

// Init starts the lifecycle.
func Init() {
	Main(lifecycleLoop)
}

// Run initialises three times, as a program restarting its scene might.
func Run() {
	Init()
	Init()
	Init()
}
