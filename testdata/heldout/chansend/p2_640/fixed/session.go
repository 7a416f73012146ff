// Package fixed is the fixed version of chansend/p2_640: the loss of the
// session is published in a select with done.
package fixed

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
		select {
		case output <- "":
		case <-done:
			return
		}
	}
}
