// Package fixed is the fixed version of lockheld/oak_33: the
// second-start return unlocks initControl first.
package fixed

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
	initControl.Lock()
	if lifecycleInit {
		log.Println("Started lifecycle twice, aborting second call")
		initControl.Unlock()
		return
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
	<-done
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
