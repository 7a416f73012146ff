// Package bug is a held-out kernel (issue 14): a log consumer whose
// filtering goroutine ranges over a channel of all events that nothing
// ever closes, so it (and its deferred close of the output) outlives the
// connection.
//
// Upstream: cloudfoundry/noaa#13 ("TailingLogs[WithoutReconnect] leaks goroutines")
// Round: 4
//
// Bug: TailingLogsWithoutReconnect makes allEvents, starts a goroutine that
// forwards the log messages from allEvents to the caller's channel and
// closes that channel when allEvents is closed, and then streams the
// websocket into allEvents until the connection ends. Nothing closes
// allEvents when streaming returns, so the goroutine's range blocks
// forever and its deferred close of outputChan is never reached: one
// goroutine per tail, and callers ranging over outputChan hang too. The
// issue names the range and the unreachable close; the websocket is
// behind a Conn interface in our reduction.
//
// Fix: allEvents is closed once streaming returns, which ends the range
// and lets the forwarding goroutine close outputChan.
package bug

import (
	"errors"
	"fmt"
)

// EventType tells log messages from metrics.
type EventType int

const (
	LogMessageType EventType = iota + 1
	ValueMetricType
)

// LogMessage is an application log line.
type LogMessage struct {
	AppID   string
	Message []byte
}

// Envelope wraps every event from the firehose.
type Envelope struct {
	EventType  EventType
	LogMessage *LogMessage
}

// Conn is the websocket connection to the traffic controller.
type Conn interface {
	ReadEnvelope() (*Envelope, error)
	Close() error
}

// Consumer reads logs from the traffic controller.
type Consumer struct {
	dial func(path, authToken string) (Conn, error)
	conn Conn
}

// NewConsumer returns a consumer that opens connections with dial.
func NewConsumer(dial func(path, authToken string) (Conn, error)) *Consumer {
	return &Consumer{dial: dial}
}

// TailingLogsWithoutReconnect sends the app's log messages to outputChan
// until the connection ends, and closes outputChan when done.
func (c *Consumer) TailingLogsWithoutReconnect(appGUID, authToken string, outputChan chan<- *LogMessage) error {
	allEvents := make(chan *Envelope)

	go func() {
		defer close(outputChan)
		for event := range allEvents { // heldout:site
			if event.EventType == LogMessageType {
				outputChan <- event.LogMessage
			}
		}
	}()

	streamPath := fmt.Sprintf("/apps/%s/stream", appGUID)
	return c.streamAppDataTo(streamPath, authToken, allEvents) // heldout:site
}

func (c *Consumer) streamAppDataTo(path, authToken string, outputChan chan<- *Envelope) error {
	conn, err := c.dial(path, authToken)
	if err != nil {
		return err
	}
	c.conn = conn
	defer conn.Close()
	for {
		env, err := conn.ReadEnvelope()
		if err != nil {
			return err
		}
		outputChan <- env
	}
}

// Close ends the current connection.
func (c *Consumer) Close() error {
	if c.conn == nil {
		return errors.New("connection does not exist")
	}
	return c.conn.Close()
}
