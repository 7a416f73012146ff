// Package bug is a held-out kernel (issue 14): a send on the output channel
// that is not guarded by the done channel, after which nobody reads output.
//
// Upstream: square/p2#640 ("consulutil: Fix deadlock when SessionManager exits")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: SessionManager (pkg/kp/consulutil/session_controller.go) publishes
// each new session id on output inside a select with done, then maintains
// the session with RenewPeriodic, which returns when the session is lost
// or done is closed; it then sends "" on output unguarded. Once the caller
// has closed done it no longer reads output, so the manager goroutine
// blocks on that send and never exits. (The Consul client is reduced to a
// Session interface and the logger to two methods.)
//
// Fix: the second send is in a select with <-done as well.
package bug

import "time"

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

// SessionRetrySeconds specifies how long to wait between retries when
// establishing a session to Consul.
var SessionRetrySeconds = 5

// SessionManager continually creates and maintains Consul sessions. As
// sessions come and go, the session ID (or "" for an expired session) is
// sent on output; close done to release the session and stop.
func SessionManager(config SessionEntry, client Session, output chan<- string, done chan struct{}, logger Logger) {
	logger.Infof("session manager: starting up")
	for {
		// Check for exit signal
		select {
		case <-done:
			logger.Infof("session manager: shutting down")
			close(output)
			return
		default:
		}
		// Establish a new session
		id, err := client.CreateNoChecks(&config)
		if err != nil {
			logger.Errorf("session manager: error creating Consul session: %v", err)
			time.Sleep(time.Duration(SessionRetrySeconds) * time.Second)
			continue
		}
		logger.Infof("session manager: new Consul session %s", id)
		select {
		case output <- id:
			// Maintain the session
			err = client.RenewPeriodic(config.TTL, id, done)
			if err != nil {
				logger.Errorf("session manager: lost session %s: %v", id, err)
			} else {
				logger.Infof("session manager: released session %s", id)
			}
			output <- "" // heldout:site
		case <-done:
			// Don't bother reporting the new session if exiting
			_ = client.Destroy(id)
			logger.Infof("session manager: released session %s", id)
		}
	}
}
