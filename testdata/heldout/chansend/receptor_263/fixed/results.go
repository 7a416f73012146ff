// Package fixed is the fixed version of chansend/receptor_263: the command
// closes doneChan instead of sending on it.
package fixed

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

// GetResults streams a unit's results until doneChan is closed.
func (w *Workceptor) GetResults(unitID string, doneChan chan bool) (chan []byte, error) {
	unit, ok := w.units[unitID]
	if !ok {
		return nil, errNoUnit
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
	defer close(doneChan)
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
