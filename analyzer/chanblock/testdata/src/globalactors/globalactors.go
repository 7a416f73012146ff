// Package globalactors holds goroutines that alone receive from an
// unbuffered channel kept in a package variable, and send on their own
// channel or on each other's; beside look-alikes that must stay silent.
package globalactors

import (
	"log"
	"time"
)

// A: gofiber/recipes#112. The hub sends a connection it failed to write
// to on unregister, which only the hub itself receives.

type conn interface {
	Write(b []byte) error
	Close() error
}

var (
	clients    = map[conn]bool{}
	register   = make(chan conn)
	broadcast  = make(chan string)
	unregister = make(chan conn)
)

func runHub() {
	for {
		select {
		case c := <-register:
			clients[c] = true
		case m := <-broadcast:
			for c := range clients {
				if err := c.Write([]byte(m)); err != nil {
					unregister <- c // want `unregister is received from only by runHub, which runs as one goroutine, and this send runs in that goroutine: while it sends it cannot receive, so the unbuffered send blocks forever`
					c.Close()
				}
			}
		case c := <-unregister:
			delete(clients, c)
		}
	}
}

func serve(accept func() conn) {
	go runHub()
	for {
		c := accept()
		register <- c
		broadcast <- "joined"
	}
}

// The same through a helper the hub calls, on a literal goroutine.
var (
	jobs  = make(chan int)
	retry = make(chan int)
)

func requeue(n int) { retry <- n } // want `retry is received from only by the goroutine of the literal at line \d+ \(in startWorker\), which runs as one goroutine`

func startWorker(run func(int) error) {
	go func() {
		for {
			select {
			case n := <-jobs:
				if run(n) != nil {
					requeue(n)
				}
			case n := <-retry:
				_ = run(n)
			}
		}
	}()
}

func submit(n int) { jobs <- n }

// B: stolostron/multicluster-observability-operator#2412. Two goroutines
// each send on the other's channel from a case body; the checker's send
// follows a timer, so both can send at once.
var (
	stopCheck = make(chan struct{})
	requeueCh = make(chan struct{})
)

func startStatus(ready func() bool) {
	go func() {
		for {
			select {
			case <-requeueCh:
				if ready() {
					stopCheck <- struct{}{} // want `sends on stopCheck, which only the goroutine of the literal at line \d+ \(in startStatus\) receives, while .* sends on requeueCh \(line \d+\)`
				}
			}
		}
	}()
	go func() {
		for {
			select {
			case <-stopCheck:
				return
			case <-time.After(2 * time.Second):
				if ready() {
					requeueCh <- struct{}{} // want `sends on requeueCh, which only the goroutine of the literal at line \d+ \(in startStatus\) receives`
				}
			}
		}
	}()
}

// Look-alike: a ping-pong, each sends only after receiving from the
// other; one token goes round.
var (
	ping = make(chan int)
	pong = make(chan int)
)

func startPingPong() {
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	go func() {
		for {
			select {
			case v := <-pong:
				log.Println(v)
				ping <- v + 1
			}
		}
	}()
	ping <- 0
}

// Look-alike: the hub's own channel is buffered... not followed; and the
// fixed hub deletes directly.
var (
	fixedClients    = map[conn]bool{}
	fixedBroadcast  = make(chan string)
	fixedUnregister = make(chan conn)
	queued          = make(chan conn, 16)
)

func runFixedHub() {
	for {
		select {
		case m := <-fixedBroadcast:
			for c := range fixedClients {
				if err := c.Write([]byte(m)); err != nil {
					delete(fixedClients, c)
					c.Close()
					queued <- c
				}
			}
		case c := <-fixedUnregister:
			delete(fixedClients, c)
		case c := <-queued:
			c.Close()
		}
	}
}

func startFixed() {
	go runFixedHub()
	fixedBroadcast <- "x"
	fixedUnregister <- nil
}

// Look-alike: the receiver runs as several goroutines (started in a
// loop): one worker's send is taken by another.
var work = make(chan int)

func worker() {
	for n := range work {
		if n > 0 {
			work <- n - 1
		}
	}
}

func startPool() {
	for i := 0; i < 4; i++ {
		go worker()
	}
	work <- 3
}

// Look-alike: the channel is handed out (passed to a function), so other
// receivers may exist.
var events = make(chan string)

func pump() {
	for e := range events {
		if e == "again" {
			events <- e
		}
	}
}

func startPump(sink func(chan string)) {
	go pump()
	sink(events)
}
