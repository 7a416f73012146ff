// Package bug is a held-out kernel (issue 14): a slowloris job whose
// dial workers all wait on one stop channel, on which the job sends a
// single value when its context ends, so one worker stops and the job
// waits for the others for ever.
//
// Upstream: arriven/db1000n#173 ("Slowloris - handle config reload")
// Round: 15
//
// Bug: slowLorisJob makes shouldStop and a goroutine that, once ctx is
// done, sends one true on it; the slowloris attacker runs
// DialWorkersCount workers that each select on shouldStop. A receive takes
// the value away from every other worker, so only one of them returns.
// The review thread shows the single send and the suggestion to close
// instead ("Use close to notify all workers at once ... This is what
// context package does"). The WaitGroup the job waits on, and the worker
// loop, are our reduction.
//
// Fix: the goroutine closes shouldStop, which every worker sees.
package bug

import (
	"context"
	"net"
	"sync"
	"time"
)

// Config is the job's configuration.
type Config struct {
	Address          string
	DialWorkersCount int
	SleepInterval    time.Duration
}

// Slowloris holds many slow connections open to a target.
type Slowloris struct {
	config *Config
	wg     sync.WaitGroup
}

func (s *Slowloris) dialWorker(stop <-chan bool) {
	defer s.wg.Done()
	ticker := time.NewTicker(s.config.SleepInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			s.keepAlive()
		}
	}
}

func (s *Slowloris) keepAlive() {
	conn, err := net.DialTimeout("tcp", s.config.Address, time.Second)
	if err != nil {
		return
	}
	_, _ = conn.Write([]byte("X-a: b\r\n"))
	conn.Close()
}

// Start runs the workers until stop fires, then waits for them.
func Start(stop <-chan bool, config *Config) {
	s := &Slowloris{config: config}
	for i := 0; i < config.DialWorkersCount; i++ {
		s.wg.Add(1)
		go s.dialWorker(stop)
	}
	s.wg.Wait() // heldout:site
}

func slowLorisJob(ctx context.Context, config *Config) error {
	shouldStop := make(chan bool)
	go func() {
		<-ctx.Done()
		shouldStop <- true // heldout:site
	}()
	Start(shouldStop, config)
	return nil
}
