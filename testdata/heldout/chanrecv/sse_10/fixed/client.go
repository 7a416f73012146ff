// Package fixed is the fixed version of chanrecv/sse_10: every error path
// of SubscribeChan closes the events channel.
package fixed

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
		close(ch)
		return err
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
	for ev := range events {
		out = append(out, ev.Data)
	}
	return out
}
