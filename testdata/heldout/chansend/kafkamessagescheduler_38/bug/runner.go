// Package bug is a held-out kernel (issue 14): the Kafka message
// scheduler's runner signals its exit with a deferred send on an
// unbuffered exitChan that only Close receives from, so when Start fails
// during initialisation (before anyone has called Close) the deferred send
// blocks for ever, Start never returns and the service never exits.
//
// Upstream: etf1/kafka-message-scheduler#38 ("Buffer stopChan and exitChan")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: Runner.Start validates its configuration, builds the history
// handler and the store, starts the scheduler and the REST server, and
// then loops over scheduler events until stopChan fires; a deferred
// `r.exitChan <- true` reports that it has left. Close sends on stopChan
// and then receives from exitChan. main runs Start in a goroutine that
// reports on its own exitchan once Start returns, and Closes the runner on
// SIGTERM. If Start fails while initialising (no bootstrap servers, the
// store cannot connect), the deferred send has no receiver because Close
// has not been called: Start never returns, its error is never logged and
// main never sees exitchan. A SIGTERM then makes Close block too, on
// stopChan, which nothing reads any more. The PR gives the sequence; the
// handler, store, REST server and scheduler are our reduction to small
// interfaces and one in-package scheduler.
//
// Fix: stopChan and exitChan get a buffer of one, so Start's deferred send
// completes and leaves the value for a later Close, and Close's send no
// longer needs Start's loop to be running.
package bug

import (
	"errors"
	"log"
	"time"
)

// Config is the runner's configuration.
type Config struct {
	BootstrapServers string
	SchedulesTopics  []string
}

// Event is a schedule whose time has come.
type Event struct {
	ID    string
	Epoch int64
}

// Handler publishes triggered schedules to their target topics.
type Handler interface {
	Handle(Event)
	Close()
}

// Store is the Kafka-backed schedule store.
type Store interface {
	Close()
}

// APIServer is the REST server exposing the schedules.
type APIServer interface {
	Start(addr string)
	Stop() error
}

// Scheduler emits events for schedules as their time comes; Close ends
// it and closes the events channel.
type Scheduler struct {
	store  Store
	events chan Event
	stop   chan struct{}
}

func newScheduler(store Store) *Scheduler {
	return &Scheduler{store: store, events: make(chan Event), stop: make(chan struct{})}
}

// Start starts the timers loop.
func (s *Scheduler) Start(since time.Time) {
	go func() {
		defer close(s.events)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				select {
				case s.events <- Event{ID: "tick", Epoch: now.Unix()}:
				case <-s.stop:
					return
				}
			case <-s.stop:
				return
			}
		}
	}()
}

// Events returns the triggered schedules.
func (s *Scheduler) Events() <-chan Event { return s.events }

// Close stops the scheduler.
func (s *Scheduler) Close() { close(s.stop) }

// Deps builds the runner's collaborators.
type Deps struct {
	NewHandler func(servers string) (Handler, error)
	NewStore   func(servers string, topics []string) (Store, error)
	NewServer  func(*Scheduler) APIServer
}

// Runner runs the scheduler against Kafka.
type Runner struct {
	config   Config
	since    time.Time
	deps     Deps
	stopChan chan bool
	exitChan chan bool
}

// NewRunner returns a runner.
func NewRunner(c Config, since time.Time, deps Deps) *Runner {
	return &Runner{
		config:   c,
		since:    since,
		deps:     deps,
		stopChan: make(chan bool),
		exitChan: make(chan bool),
	}
}

// Close stops a running runner and waits for Start to return.
func (r *Runner) Close() error {
	r.stopChan <- true // heldout:site
	<-r.exitChan
	return nil
}

// Start runs the scheduler until Close is called.
func (r *Runner) Start() error {
	defer func() {
		r.exitChan <- true // heldout:site
	}()

	if r.config.BootstrapServers == "" {
		return errors.New("kafka bootstrap servers unset, check variable environment ${BOOTSTRAP_SERVERS}") // heldout:site
	}
	if r.since.After(time.Now()) {
		return errors.New("since cannot be after current day, check since parameter should be <= 0") // heldout:site
	}

	handler, err := r.deps.NewHandler(r.config.BootstrapServers)
	if err != nil {
		return err // heldout:site
	}
	defer handler.Close()

	store, err := r.deps.NewStore(r.config.BootstrapServers, r.config.SchedulesTopics)
	if err != nil {
		return err // heldout:site
	}
	defer store.Close()

	sch := newScheduler(store)
	sch.Start(r.since)

	srv := r.deps.NewServer(sch)
	srv.Start(":8000")

	events := sch.Events()

loop:
	for {
		select {
		case event, open := <-events:
			if !open {
				break loop
			}
			handler.Handle(event)
		case <-r.stopChan:
			if err := srv.Stop(); err != nil {
				log.Printf("error when stopping api server: %v", err)
			}
			sch.Close()
		}
	}

	return nil
}

// Main is the service's main: it starts the runner and closes it on a
// signal.
func Main(r *Runner, sigchan <-chan struct{}) {
	exitchan := make(chan bool)

	go func() {
		if err := r.Start(); err != nil {
			log.Printf("failed to start scheduler: %v", err)
		}
		exitchan <- true
	}()

loop:
	for {
		select {
		case <-sigchan:
			r.Close()
		case <-exitchan:
			log.Printf("scheduler exited")
			break loop
		}
	}
}
