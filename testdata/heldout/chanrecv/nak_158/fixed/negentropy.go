// Package fixed is the fixed version of chanrecv/nak_158: Run closes
// Deltas on every return.
package fixed

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Delta is one event one side has and the other lacks.
type Delta struct {
	ID   string
	Have bool
}

// Conn is the relay connection.
type Conn interface {
	ReadMessage() (string, error)
	WriteMessage(msg string) error
}

// Negentropy runs the set-reconciliation protocol.
type Negentropy struct {
	Deltas    chan Delta
	reconcile func(msg string) (out string, deltas []Delta, done bool, err error)
}

// Run reconciles with the relay until both sides agree.
func (tpn *Negentropy) Run(conn Conn) error {
	defer close(tpn.Deltas)
	for {
		msg, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		if rest, ok := strings.CutPrefix(msg, "NEG-ERR "); ok {
			return fmt.Errorf("relay error: %s", rest)
		}
		out, deltas, done, err := tpn.reconcile(msg)
		if err != nil {
			return fmt.Errorf("malformed message: %w", err)
		}
		for _, d := range deltas {
			tpn.Deltas <- d
		}
		if done {
			return nil
		}
		if err := conn.WriteMessage(out); err != nil {
			return err
		}
	}
}

// Sync is the sync command: it publishes what the relay lacks and
// fetches what we lack.
func Sync(tpn *Negentropy, conn Conn, publish func(id string) error, fetch func(id string) error) error {
	var wg sync.WaitGroup
	var errs []error
	var mu sync.Mutex

	wg.Add(1)
	go func() {
		defer wg.Done()
		for d := range tpn.Deltas {
			var err error
			if d.Have {
				err = publish(d.ID)
			} else {
				err = fetch(d.ID)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}
	}()

	err := tpn.Run(conn)
	wg.Wait()
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}
