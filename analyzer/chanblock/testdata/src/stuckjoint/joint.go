// Package stuckjoint holds the interleaving checker's kernels where a
// select has a case on another channel the function makes: the checker
// follows both channels together (chanmodel/joint.go), so a case on the
// other channel fires only when that channel is ready.
package stuckjoint

import "time"

func wait() error { return nil }

// A watchdog: the timer goroutine sends on timedout after a grace period;
// the watcher leaves by stopped once the work ends, and the send then has
// no receiver.
func stopWithGrace(grace time.Duration) error {
	stopped := make(chan bool)
	timedout := make(chan bool)
	go func() {
		time.Sleep(grace)
		timedout <- true // want `this send can block forever: the goroutine running stopWithGrace.s function literal leaves its select by another case`
	}()
	go func() {
		select {
		case <-stopped:
			return
		case <-timedout:
			println("killing")
			return
		}
	}()
	err := wait()
	close(stopped)
	return err
}

// Fixed twin: room for the timer's value.
func stopWithGraceBuffered(grace time.Duration) error {
	stopped := make(chan bool)
	timedout := make(chan bool, 1)
	go func() {
		time.Sleep(grace)
		timedout <- true
	}()
	go func() {
		select {
		case <-stopped:
			return
		case <-timedout:
			println("killing")
			return
		}
	}()
	err := wait()
	close(stopped)
	return err
}

// Fixed twin: the timer also leaves once stopped is closed.
func stopWithGraceSelect(grace time.Duration) error {
	stopped := make(chan struct{})
	timedout := make(chan bool)
	go func() {
		time.Sleep(grace)
		select {
		case timedout <- true:
		case <-stopped:
		}
	}()
	go func() {
		select {
		case <-stopped:
		case <-timedout:
			println("killing")
		}
	}()
	err := wait()
	close(stopped)
	return err
}

// The same watchdog written with named functions taking the channels as
// parameters, the stop signal a send rather than a close.
func expire(d time.Duration, out chan<- struct{}) {
	time.Sleep(d)
	out <- struct{}{}
}

func watch(stop <-chan struct{}, expired <-chan struct{}) {
	select {
	case <-stop:
	case <-expired:
		println("expired")
	}
}

func runWatched(d time.Duration) error {
	stop := make(chan struct{})
	expired := make(chan struct{}, 1)
	go expire(d, expired)
	go watch(stop, expired)
	err := wait()
	stop <- struct{}{} // want `this send can block forever: watch leaves its select by another case`
	return err
}

// Fixed twin: the named timer selects on stop too.
func expireOrStop(d time.Duration, out chan<- struct{}, stop <-chan struct{}) {
	time.Sleep(d)
	select {
	case out <- struct{}{}:
	case <-stop:
	}
}

func runWatchedFixed(d time.Duration) error {
	stop := make(chan struct{})
	expired := make(chan struct{})
	go expireOrStop(d, expired, stop)
	go watch(stop, expired)
	err := wait()
	close(stop)
	return err
}

// A collector that leaves by done: the producer closes done while a
// value may still wait in the buffer, the collector may take done (a
// select picks among its ready cases), and the producer's next send then
// finds the buffer full.
func collectUntilDone() int {
	res := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		res <- 1
		close(done)
		res <- 2 // want `this send can block forever: collectUntilDone leaves its select by another case`
	}()
	sum := 0
	for {
		select {
		case v := <-res:
			sum += v
		case <-done:
			return sum
		}
	}
}

// Fixed twin: done is closed after the last value is in the buffer; a
// value left there blocks nobody.
func collectAfterDone() int {
	res := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		res <- 1
		res <- 2
		close(done)
	}()
	sum := 0
	for {
		select {
		case v := <-res:
			sum += v
		case <-done:
			return sum
		}
	}
}

// Look-alike: a ping-pong on two channels ended by a close (the runtime's
// ping-pong tests): every send has its receiver.
func pingPong() {
	stop := make(chan bool)
	wake := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-wake:
				wake <- true
			}
		}
	}()
	wake <- true
	<-wake
	close(stop)
}

// Look-alike: the other channel escapes to a function the package does
// not see: when it fires is not the model's.
func stopOutside(register func(chan struct{})) {
	stop := make(chan struct{})
	ticks := make(chan int)
	register(stop)
	go func() {
		for i := 0; i < 2; i++ {
			select {
			case ticks <- i:
			case <-stop:
				return
			}
		}
	}()
	<-ticks
}

// The stop signal sent inline: the watcher may have left by the expiry
// (a value already in its buffer), and nothing receives the stop.
func stopInline(d time.Duration) error {
	stop := make(chan bool)
	expired := make(chan bool, 1)
	go func() {
		time.Sleep(d)
		expired <- true
	}()
	go func() {
		select {
		case <-stop:
		case <-expired:
			println("expired")
		}
	}()
	err := wait()
	stop <- true // want `this send can block forever`
	return err
}

// Fixed twin: the stop is a close, which never blocks.
func stopInlineClose(d time.Duration) error {
	stop := make(chan bool)
	expired := make(chan bool, 1)
	go func() {
		time.Sleep(d)
		expired <- true
	}()
	go func() {
		select {
		case <-stop:
		case <-expired:
			println("expired")
		}
	}()
	err := wait()
	close(stop)
	return err
}

// A worker loop told to quit on a second channel, then handed one more
// job: it has returned by then.
func feedAfterQuit() {
	jobs := make(chan int)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case j := <-jobs:
				println(j)
			case <-quit:
				return
			}
		}
	}()
	jobs <- 1
	quit <- struct{}{}
	jobs <- 2 // want `this send can block forever`
}

// Fixed twin: every job before the quit.
func feedThenQuit() {
	jobs := make(chan int)
	quit := make(chan struct{})
	go func() {
		for {
			select {
			case j := <-jobs:
				println(j)
			case <-quit:
				return
			}
		}
	}()
	jobs <- 1
	jobs <- 2
	quit <- struct{}{}
}

// The other channel made by a goroutine of the model, closed by a timer
// goroutine of its own: the sender may leave by the timeout, and the
// caller's receive then waits for ever.
func superviseOne() int {
	results := make(chan int)
	go func() {
		quit := make(chan struct{})
		go func() {
			time.Sleep(time.Millisecond)
			close(quit)
		}()
		select {
		case results <- 1:
		case <-quit:
		}
	}()
	return <-results // want `this receive can block forever`
}

// Fixed twin: the sender closes results when it gives up.
func superviseOneClosed() int {
	results := make(chan int)
	go func() {
		quit := make(chan struct{})
		go func() {
			time.Sleep(time.Millisecond)
			close(quit)
		}()
		select {
		case results <- 1:
		case <-quit:
			close(results)
		}
	}()
	return <-results
}
