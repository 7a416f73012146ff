// Package fixed is the fixed version of close/db1000n_173: the stop
// channel is closed, so every worker sees it.
package fixed

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
	s.wg.Wait()
}

func slowLorisJob(ctx context.Context, config *Config) error {
	shouldStop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(shouldStop)
	}()
	Start(shouldStop, config)
	return nil
}
