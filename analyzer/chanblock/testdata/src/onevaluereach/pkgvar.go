package onevaluereach

import (
	"log"
	"time"
)

// The shutdown channel is a package variable; Serve starts the flusher
// and the janitor, both returning only after a value on it. Stop sends
// one value: the other goroutine runs forever.
var shutdown = make(chan struct{})

func flusher() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			log.Printf("flush")
		case <-shutdown:
			return
		}
	}
}

func janitor(clean func()) {
	for {
		select {
		case <-time.After(time.Minute):
			clean()
		case <-shutdown:
			return
		}
	}
}

func Serve(clean func()) {
	go flusher()
	go janitor(clean)
}

func Stop() {
	shutdown <- struct{}{} // want `one value is sent on package variable shutdown, but 2 or more goroutines wait for it`
}

// The fix closes the variable's channel.
var shutdownFixed = make(chan struct{})

func flusherFixed() {
	for {
		select {
		case <-time.After(time.Second):
			log.Printf("flush")
		case <-shutdownFixed:
			return
		}
	}
}

func ServeFixed() {
	go flusherFixed()
	go flusherFixed()
}

func StopFixed() { close(shutdownFixed) }

// One reaper waits on reap; one value stops it. Silent.
var reap = make(chan struct{})

func reaper() {
	for {
		select {
		case <-time.After(time.Second):
		case <-reap:
			return
		}
	}
}

func StartReaper() { go reaper() }

func StopReaper() { reap <- struct{}{} }

// Each of n tickers gets its own value: the send is in a loop. Silent.
var tick = make(chan struct{})

func ticker() {
	for {
		select {
		case <-time.After(time.Second):
		case <-tick:
			return
		}
	}
}

func StartTickers(n int) {
	for i := 0; i < n; i++ {
		go ticker()
	}
}

func StopTickers(n int) {
	for i := 0; i < n; i++ {
		tick <- struct{}{}
	}
}
