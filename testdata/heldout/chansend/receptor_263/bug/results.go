// Package bug is a held-out kernel (issue 14): a control-service command
// that tells the results streamer it is done by sending on an unbuffered
// channel whose only reader is the streamer's goroutine, which is never
// started when the work unit is not found.
//
// Upstream: ansible/receptor#263 ("fix hang when getting results for nonexistent work ID")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: the "work results" command makes doneChan, defers a send on it
// (doneChan <- true) to stop the goroutine that streams results, and calls
// GetResults. GetResults returns an error without starting that goroutine
// when the unit ID is unknown, so the deferred send has no reader and the
// command hangs. The PR describes the send and its only reader; the bodies
// of GetResults and of the streaming loop are our reduction.
//
// Fix: the command closes doneChan instead of sending on it, which never
// blocks and still stops the streamer when there is one.
package bug

import (
	"errors"
	"io"
)

type workUnit struct {
	results [][]byte
}

// Workceptor manages work units.
type Workceptor struct {
	units map[string]*workUnit
}

var errNoUnit = errors.New("unknown work unit")

// GetResults streams a unit's results until doneChan fires.
func (w *Workceptor) GetResults(unitID string, doneChan chan bool) (chan []byte, error) {
	unit, ok := w.units[unitID]
	if !ok {
		return nil, errNoUnit // heldout:site
	}
	resultChan := make(chan []byte)
	go func() {
		// An empty slice marks the end of the unit's output; the
		// streamer then waits to be told the command is done.
		for _, r := range append(unit.results, nil) {
			select {
			case resultChan <- r:
			case <-doneChan:
				return
			}
		}
		<-doneChan
	}()
	return resultChan, nil
}

type workResultsCommand struct {
	w      *Workceptor
	unitID string
}

// ControlFunc writes the unit's results to out.
func (c *workResultsCommand) ControlFunc(out io.Writer) error {
	doneChan := make(chan bool)
	defer func() {
		doneChan <- true // heldout:site
	}()
	resultChan, err := c.w.GetResults(c.unitID, doneChan)
	if err != nil {
		return err
	}
	for {
		bytes := <-resultChan
		if len(bytes) == 0 {
			return nil
		}
		if _, err := out.Write(bytes); err != nil {
			return err
		}
	}
}
