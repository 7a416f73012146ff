// Package bug is a held-out kernel (issue 14): a send on the output channel
// that is not guarded by the done channel, after which nobody reads output.
//
// Upstream: square/p2#640 ("consulutil: Fix deadlock when SessionManager exits")
// Round: 2
//
// Bug: SessionManager publishes each new session id on output inside a
// select with done, but when the session is lost or released it sends ""
// on output unguarded. Once the caller has closed done it no longer reads
// output, so the manager goroutine blocks on that send and never exits.
//
// Fix: the second send is in a select with <-done as well.
package bug

import (
	"errors"
	"time"
)

// SessionEntry configures a Consul session.
type SessionEntry struct {
	Name     string
	TTL      string
	Behavior string
}

// Session is the part of Consul's session API the manager uses.
type Session interface {
	CreateNoChecks(se *SessionEntry) (string, error)
	RenewPeriodic(initialTTL string, id string, doneCh <-chan struct{}) error
	Destroy(id string) error
}

// Logger logs the manager's progress.
type Logger interface {
	Errorf(format string, args ...any)
	Infof(format string, args ...any)
}

var errSessionLost = errors.New("session lost")

// SessionManager continually creates and maintains Consul sessions,
// writing the current session id to output ("" while it has none), until
// done is closed.
func SessionManager(config SessionEntry, session Session, output chan<- string, done chan struct{}, logger Logger) {
	defer close(output)
	for {
		id, err := session.CreateNoChecks(&config)
		if err != nil {
			logger.Errorf("error creating session: %v", err)
			select {
			case <-time.After(time.Second):
				continue
			case <-done:
				return
			}
		}
		logger.Infof("acquired session %s", id)
		select {
		case output <- id:
		case <-done:
			_ = session.Destroy(id)
			return
		}
		err = session.RenewPeriodic(config.TTL, id, done)
		if err == nil {
			err = errSessionLost
		}
		logger.Errorf("session %s ended: %v", id, err)
		output <- "" // heldout:site
		select {
		case <-done:
			return
		default:
		}
	}
}
