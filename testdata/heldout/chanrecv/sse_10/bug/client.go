// Package bug is a held-out kernel (issue 14): an SSE client whose
// channel subscription closes the caller's events channel when reading
// the stream fails but not when connecting to it fails, so a caller
// ranging over the channel after a failed connect waits for ever.
//
// Upstream: r3labs/sse#10 ("Consistently close channel on error")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: SubscribeChan connects to the stream and, in a goroutine, reads
// events and sends them on the caller's channel, closing it when a read
// fails. The PR: "The subscription events channel was only closed in
// the case where an error was encountered while reading from the
// stream, but not in the case such error was encountered while
// connecting to it." The caller below is our reduction of the usual use
// (run SubscribeChan in a goroutine, range over the channel); the HTTP
// request and the event parser are reduced to interfaces.
//
// Fix: the connect error path closes the channel before it returns.
package bug

// Event is one server-sent event.
type Event struct {
	ID   []byte
	Data []byte
}

// EventStreamReader reads events off a connected stream.
type EventStreamReader interface {
	ReadEvent() (*Event, error)
}

// Connector opens the named stream.
type Connector interface {
	Connect(stream string) (EventStreamReader, error)
}

// Client subscribes to a server's streams.
type Client struct {
	URL  string
	conn Connector
}

// NewClient returns a client of url.
func NewClient(url string, conn Connector) *Client {
	return &Client{URL: url, conn: conn}
}

// SubscribeChan sends the stream's events to ch until the stream fails.
func (c *Client) SubscribeChan(stream string, ch chan *Event) error {
	reader, err := c.conn.Connect(stream)
	if err != nil {
		return err // heldout:site
	}

	go func() {
		for {
			msg, err := reader.ReadEvent()
			if err != nil {
				close(ch)
				return
			}
			ch <- msg
		}
	}()
	return nil
}

// Collect subscribes and returns the data of every event until the
// channel closes.
func Collect(c *Client, stream string) [][]byte {
	events := make(chan *Event)
	go c.SubscribeChan(stream, events)
	var out [][]byte
	for ev := range events { // heldout:site
		out = append(out, ev.Data)
	}
	return out
}
