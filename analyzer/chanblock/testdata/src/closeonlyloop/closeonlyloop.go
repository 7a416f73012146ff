// Package closeonlyloop holds consumers that wait for a channel nothing
// closes in a loop only a close ends, spelled other ways than a plain
// range: a for-select whose only way out is a two-value receive finding
// the channel closed (beside a case that only logs), and a range whose
// body forwards with a blocking select. Session 25, closevar.
package closeonlyloop

import (
	"log"
	"time"
)

type Event struct{ Key string }

type Client struct {
	poll func() (*Event, error)
}

func (c *Client) watch(events chan *Event) error {
	for {
		ev, err := c.poll()
		if err != nil {
			return err
		}
		events <- ev
	}
}

// Watch: the consumer's loop is left only when the receive finds events
// closed; watch returns on an error without closing it, so the consumer
// never returns and Watch waits on done forever.
func (c *Client) Watch(handle func(*Event)) error {
	events := make(chan *Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select { // want `nothing closes this channel: the loop around this receive is left only when the receive finds the channel closed`
			case ev, ok := <-events:
				if !ok {
					return
				}
				handle(ev)
			case <-t.C:
				log.Printf("still watching")
			}
		}
	}()
	err := c.watch(events)
	<-done
	return err
}

// FixedClient's watch closes the channel when it returns.
type FixedClient struct {
	poll func() (*Event, error)
}

func (c *FixedClient) watch(events chan *Event) error {
	defer close(events)
	for {
		ev, err := c.poll()
		if err != nil {
			return err
		}
		events <- ev
	}
}

func (c *FixedClient) Watch(handle func(*Event)) error {
	events := make(chan *Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				handle(ev)
			case <-t.C:
				log.Printf("still watching")
			}
		}
	}()
	err := c.watch(events)
	<-done
	return err
}

type Reader interface{ Read() ([]byte, error) }

func pump(r Reader, batches chan<- []byte) error {
	for {
		b, err := r.Read()
		if err != nil {
			return err
		}
		batches <- b
	}
}

// Flush: the forwarder's range body hands each batch on with a blocking
// select (whose last case go/ssa follows with a panic no execution
// reaches); pump returns on an error without closing batches, so the
// range never ends.
func Flush(r Reader, out chan<- []byte) error {
	batches := make(chan []byte)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches { // want `nothing closes this channel: this range over it never ends`
			select {
			case out <- b:
			case <-time.After(time.Second):
				log.Printf("dropped %d bytes", len(b))
			}
		}
	}()
	err := pump(r, batches)
	<-done
	return err
}

func pumpClosing(r Reader, batches chan<- []byte) error {
	defer close(batches)
	for {
		b, err := r.Read()
		if err != nil {
			return err
		}
		batches <- b
	}
}

func FixedFlush(r Reader, out chan<- []byte) error {
	batches := make(chan []byte)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches {
			select {
			case out <- b:
			case <-time.After(time.Second):
				log.Printf("dropped %d bytes", len(b))
			}
		}
	}()
	err := pumpClosing(r, batches)
	<-done
	return err
}
