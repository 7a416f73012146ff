package real

import (
	"log"
	"time"
)

// Upstream: IBM/sarama#734. A feeder re-arms one processing timer per
// message and drains it first with `if !t.Stop() { <-t.C }`; when its own
// select already took the timer's value and went on to the next batch,
// Stop reports false and the drain waits for a value that never comes.
// Fix: remember that the select received the value and skip the drain (and
// drain with a select and a default case).
func timerFeed(batches chan []string, out chan string, limit time.Duration) {
	t := time.NewTimer(limit)
next:
	for batch := range batches {
		for i, m := range batch {
			if !t.Stop() {
				<-t.C // want `this drain of the timer's channel runs when Stop reports false, and it is reached from a receive of the timer's value \(line \d+\) with no Reset in between`
			}
			t.Reset(limit)
			select {
			case out <- m:
			case <-t.C:
				log.Printf("slow consumer, %d left", len(batch)-i)
				continue next
			}
		}
	}
}

func timerFeedFixed(batches chan []string, out chan string, limit time.Duration) {
	t := time.NewTimer(limit)
	fired := false
next:
	for batch := range batches {
		for _, m := range batch {
			if !t.Stop() && !fired {
				<-t.C
			}
			fired = false
			t.Reset(limit)
			select {
			case out <- m:
			case <-t.C:
				fired = true
				continue next
			}
		}
	}
}

// A variant: a retry loop waits out its backoff with a plain receive and
// stops the timer again at the top of the next attempt.
func timerRetry(try func() error, backoff time.Duration) {
	t := time.NewTimer(backoff)
	for try() != nil {
		<-t.C
		if !t.Stop() { // the value above was taken: Stop is false
			<-t.C // want `reached from a receive of the timer's value`
		}
		t.Reset(backoff)
	}
}

// Look-alikes that must stay silent: the idiom where every receive of the
// value re-arms the timer, a non-blocking drain, and a timer another
// function can reach.
func timerTick(work chan int, d time.Duration) {
	t := time.NewTimer(d)
	for {
		select {
		case w := <-work:
			if !t.Stop() {
				<-t.C
			}
			log.Print(w)
			t.Reset(d)
		case <-t.C:
			log.Print("idle")
			t.Reset(d)
		}
	}
}

func timerTickNonBlocking(work chan int, d time.Duration) {
	t := time.NewTimer(d)
	for {
		select {
		case w := <-work:
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			log.Print(w)
		case <-t.C:
			log.Print("idle")
		}
		t.Reset(d)
	}
}

func timerTickShared(work chan int, d time.Duration, rearm func(*time.Timer)) {
	t := time.NewTimer(d)
	for {
		select {
		case <-work:
			if !t.Stop() {
				<-t.C
			}
			rearm(t)
		case <-t.C:
			rearm(t)
		}
	}
}

// Before Go 1.23 (this file has no version), a timer that fired before
// the first Stop keeps its value for the drain: not reported.
func timerStopTwiceOld(done chan bool, d time.Duration) {
	t := time.NewTimer(d)
	select {
	case <-done:
		t.Stop()
	default:
	}
	if !t.Stop() {
		<-t.C
	}
}

// A new timer per iteration: the value taken in one iteration is another
// timer's (time's TestTimerModifiedEarlier). Silent.
func timerPerRound(rounds int, d time.Duration, done chan bool) {
	for i := 0; i < rounds; i++ {
		t := time.NewTimer(d)
		for j := 0; j < 3; j++ {
			if !t.Stop() {
				<-t.C
			}
			t.Reset(d)
		}
		select {
		case <-t.C:
		case <-done:
		}
	}
}
