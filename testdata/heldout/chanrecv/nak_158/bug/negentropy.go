// Package bug is a held-out kernel (issue 14): a reconciliation loop that
// closes its output channel only on success, and a publisher that ranges
// over it.
//
// Upstream: fiatjaf/nak#158 ("sync: close the Deltas channel on error returns too")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: `nak sync` starts a publisher goroutine that ranges over
// tpn.Deltas and then calls tpn.Run, which closes Deltas only on its
// success path. Any error return (a failed write, a malformed message, a
// NEG-ERR from the relay) leaves the publisher blocked in the range and
// wg.Wait() in the command never returns: nak hangs instead of reporting
// the error. The relay connection and the reconciliation step are reduced
// to interfaces and a function field.
//
// Fix: Run defers close(tpn.Deltas).
package bug

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
	for {
		msg, err := conn.ReadMessage()
		if err != nil {
			return err // heldout:site
		}
		if rest, ok := strings.CutPrefix(msg, "NEG-ERR "); ok {
			return fmt.Errorf("relay error: %s", rest) // heldout:site
		}
		out, deltas, done, err := tpn.reconcile(msg)
		if err != nil {
			return fmt.Errorf("malformed message: %w", err) // heldout:site
		}
		for _, d := range deltas {
			tpn.Deltas <- d
		}
		if done {
			close(tpn.Deltas)
			return nil
		}
		if err := conn.WriteMessage(out); err != nil {
			return err // heldout:site
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
		for d := range tpn.Deltas { // heldout:site
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
	wg.Wait() // heldout:site
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}
