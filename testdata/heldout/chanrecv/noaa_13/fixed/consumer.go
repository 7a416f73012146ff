// Package fixed is the fixed version of chanrecv/noaa_13: allEvents is
// closed when streaming returns.
package fixed

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
		for event := range allEvents {
			if event.EventType == LogMessageType {
				outputChan <- event.LogMessage
			}
		}
	}()

	streamPath := fmt.Sprintf("/apps/%s/stream", appGUID)
	defer close(allEvents)
	return c.streamAppDataTo(streamPath, authToken, allEvents)
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
