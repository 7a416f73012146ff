// Package bug is a held-out kernel (issue 14): a Docker client's event
// monitor whose hijacked event-stream goroutine, on EOF, takes the
// monitor's read lock and then asks isEnabled, which takes the same read
// lock again; when the monitor goroutine's updateLastSeen has queued for
// the write lock between the two, the second RLock waits for the writer
// and the writer waits for the first RLock.
//
// Upstream: fsouza/go-dockerclient#312 ("fix events deadlock", issue fsouza/go-dockerclient#311)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the issue gives the stacks: the monitor goroutine in
// updateLastSeen (eventMonitoringState.Lock) called from monitorEvents,
// and the event-stream goroutine started by eventHijack in isEnabled
// (RLock). The PR spells out the interleaving: goroutine 1 RLocks,
// goroutine 2 Locks and blocks, goroutine 1 RLocks again and blocks
// behind it, and the RUnlock is never reached. That the first RLock is
// the EOF branch's own and the second its isEnabled call is our reading
// of the stack and of the code after the fix. The HTTP connection is
// reduced to an io.ReadCloser of JSON events; retries, removing
// listeners and the WaitGroup are left out, and sendEvent copies the
// listeners before sending (upstream sent under the read lock).
//
// Fix: the EOF branch reads the enabled field directly under the read
// lock it already holds instead of calling isEnabled. Our fixed version
// also sends EOFEvent after releasing the read lock, since a send into a
// full eventChan under the read lock would block the same writer
// (upstream met that later, in fsouza/go-dockerclient#1133).
package bug

import (
	"encoding/json"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// APIEvents is one event from the Docker API.
type APIEvents struct {
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
	Time   int64  `json:"time,omitempty"`
}

// EOFEvent is sent when the event stream ends.
var EOFEvent = &APIEvents{Status: "EOF"}

type eventMonitoringState struct {
	lastSeen int64
	sync.RWMutex
	enabled   bool
	C         chan *APIEvents
	errC      chan error
	listeners []chan<- *APIEvents
}

// Client talks to the Docker daemon.
type Client struct {
	eventMonitor *eventMonitoringState
	// dial opens the /events stream since the given time.
	dial func(since int64) (io.ReadCloser, error)
}

// NewClient returns a client reading events through dial.
func NewClient(dial func(since int64) (io.ReadCloser, error)) *Client {
	return &Client{eventMonitor: &eventMonitoringState{}, dial: dial}
}

// AddEventListener adds a listener, starting the monitor if needed.
func (c *Client) AddEventListener(listener chan<- *APIEvents) error {
	if !c.eventMonitor.isEnabled() {
		if err := c.eventMonitor.enableEventMonitoring(c); err != nil {
			return err
		}
	}
	c.eventMonitor.Lock()
	c.eventMonitor.listeners = append(c.eventMonitor.listeners, listener)
	c.eventMonitor.Unlock()
	return nil
}

func (eventState *eventMonitoringState) enableEventMonitoring(c *Client) error {
	eventState.Lock()
	defer eventState.Unlock()
	if !eventState.enabled {
		eventState.enabled = true
		eventState.C = make(chan *APIEvents, 100)
		eventState.errC = make(chan error, 1)
		go eventState.monitorEvents(c)
	}
	return nil
}

func (eventState *eventMonitoringState) disableEventMonitoring() {
	eventState.Lock()
	defer eventState.Unlock()
	for _, l := range eventState.listeners {
		close(l)
	}
	eventState.listeners = nil
	if eventState.enabled {
		eventState.enabled = false
		close(eventState.C)
		close(eventState.errC)
	}
}

func (eventState *eventMonitoringState) monitorEvents(c *Client) {
	eventState.RLock()
	eventChan, errChan := eventState.C, eventState.errC
	eventState.RUnlock()
	if err := c.eventHijack(atomic.LoadInt64(&eventState.lastSeen), eventChan, errChan); err != nil {
		eventState.disableEventMonitoring()
		return
	}
	for eventState.isEnabled() {
		timeout := time.After(100 * time.Millisecond)
		select {
		case ev, ok := <-eventState.C:
			if !ok {
				return
			}
			if ev == EOFEvent {
				eventState.disableEventMonitoring()
				return
			}
			eventState.updateLastSeen(ev)
			go eventState.sendEvent(ev)
		case err := <-eventState.errC:
			if err != nil {
				eventState.disableEventMonitoring()
				return
			}
		case <-timeout:
			continue
		}
	}
}

func (eventState *eventMonitoringState) isEnabled() bool {
	eventState.RLock() // heldout:site
	defer eventState.RUnlock()
	return eventState.enabled
}

func (eventState *eventMonitoringState) sendEvent(event *APIEvents) {
	eventState.RLock()
	var listeners []chan<- *APIEvents
	if eventState.enabled {
		listeners = append(listeners, eventState.listeners...)
	}
	eventState.RUnlock()
	for _, listener := range listeners {
		listener <- event
	}
}

func (eventState *eventMonitoringState) updateLastSeen(e *APIEvents) {
	eventState.Lock() // heldout:site
	defer eventState.Unlock()
	if atomic.LoadInt64(&eventState.lastSeen) < e.Time {
		atomic.StoreInt64(&eventState.lastSeen, e.Time)
	}
}

// eventHijack opens the event stream and starts a goroutine that decodes
// it into eventChan.
func (c *Client) eventHijack(startTime int64, eventChan chan *APIEvents, errChan chan error) error {
	body, err := c.dial(startTime)
	if err != nil {
		return err
	}
	go func() {
		defer body.Close()
		decoder := json.NewDecoder(body)
		for {
			var event APIEvents
			if err := decoder.Decode(&event); err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					c.eventMonitor.RLock()                                           // heldout:site
					if c.eventMonitor.isEnabled() && c.eventMonitor.C == eventChan { // heldout:site
						// Tell the monitor that the stream ended.
						eventChan <- EOFEvent
					}
					c.eventMonitor.RUnlock()
					break
				}
				errChan <- err
				return
			}
			if event.Time == 0 {
				continue
			}
			if !c.eventMonitor.isEnabled() || c.eventMonitor.C != eventChan {
				return
			}
			eventChan <- &event
		}
	}()
	return nil
}
