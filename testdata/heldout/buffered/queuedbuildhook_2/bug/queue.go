// Package bug is a held-out kernel (issue 14): a dispatcher's send into the
// workers' bounded request channel while the workers wait to report their
// completions to the dispatcher.
//
// Upstream: nix-community/queued-build-hook#2 ("Fix deadlock when worker channel buffer fills up")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: with -concurrency, RunDaemon's main select loop forwards every
// queued message to the workers through the buffered workerRequests
// channel, and each worker's execOne reports its completion on the
// unbuffered queueCompleted. When workerRequests is full the
// loop blocks on its send and stops receiving on queueCompleted; the
// workers block sending their completions, so nobody drains
// workerRequests (both "queued-build-hook queue" processes hang, per the
// PR). Reduced from daemon.go as it reads after the fix: the socket
// listeners, the message decoding and the waiters are left out, and the
// hook is a function.
//
// Fix: execOne sends the completion from a new goroutine ("the main
// goroutine may be blocking trying to submit a job to us").
package bug

import "time"

// QueueMessage asks for the hook to run on a build's outputs.
type QueueMessage struct {
	DrvPath  string
	OutPaths string
	Tag      string
}

// DaemonConfig configures the daemon.
type DaemonConfig struct {
	RetryInterval int
	Retries       int
	Concurrency   int
}

// RunDaemon runs the hook on every queued message.
func RunDaemon(queueRequests <-chan *QueueMessage, realHook func(*QueueMessage) error, logf func(string, ...any), config *DaemonConfig) {
	// State variables, accessed only from the main goroutine.
	inProgress := 0
	inProgressTags := make(map[string]int)

	// Channels for communicating with the main goroutine.
	queueCompleted := make(chan *QueueMessage)

	// Channel for communicating with workers.
	workerRequests := make(chan *QueueMessage, 256)

	// Execute hook for one request.
	execOne := func(m *QueueMessage) {
		defer func() {
			queueCompleted <- m // heldout:site
		}()

		msgRetries := config.Retries
		for msgRetries != 0 {
			if err := realHook(m); err != nil {
				msgRetries -= 1
				time.Sleep(time.Duration(config.RetryInterval) * time.Second)
				continue
			}
			return
		}
		logf("Dropped message with OUT_PATHS '%s' after %d retries", m.OutPaths, config.Retries)
	}

	// Worker goroutines.
	if config.Concurrency > 0 {
		worker := func() {
			for {
				m := <-workerRequests
				execOne(m)
			}
		}
		for i := 0; i < config.Concurrency; i++ {
			go worker()
		}
	} else {
		// Infinite concurrency.
		go func() {
			for {
				m := <-workerRequests
				go execOne(m)
			}
		}()
	}

	for {
		select {
		case m := <-queueRequests:
			// Forward requests to workers, and track progress.
			inProgress += 1
			if m.Tag != "" {
				inProgressTags[m.Tag]++
			}

			workerRequests <- m // heldout:site

		case m := <-queueCompleted:
			// Scheduler sends us completion.
			inProgress -= 1
			if inProgress == 0 {
				inProgressTags = make(map[string]int)
			} else if m.Tag != "" {
				if n := inProgressTags[m.Tag] - 1; n > 0 {
					inProgressTags[m.Tag] = n
				} else {
					delete(inProgressTags, m.Tag)
				}
			}
		}
	}
}
