// Variant of chanrecv/sse_10 (M1: the events channel is a field of the
// subscription, made by its constructor). Blocks: Connect fails, Start
// returns the error without starting the pump or closing s.events; Collect
// ranges over s.events for ever.
package rangefield

import "log"

type Event struct{ Data []byte }

type Reader interface{ ReadEvent() (*Event, error) }

type Connector interface {
	Connect(stream string) (Reader, error)
}

type Subscription struct {
	conn   Connector
	events chan *Event
}

func NewSubscription(conn Connector) *Subscription {
	return &Subscription{conn: conn, events: make(chan *Event)}
}

// Start connects and pumps events until the stream fails.
func (s *Subscription) Start(stream string) error {
	r, err := s.conn.Connect(stream)
	if err != nil {
		log.Printf("connect %s: %v", stream, err)
		return err
	}
	go func() {
		defer close(s.events)
		for {
			ev, err := r.ReadEvent()
			if err != nil {
				return
			}
			s.events <- ev
		}
	}()
	return nil
}

func Collect(s *Subscription, stream string) [][]byte {
	go s.Start(stream)
	var out [][]byte
	for ev := range s.events { // want `this range waits on field events of Subscription, made at line \d+; only the goroutine Start starts`
		out = append(out, ev.Data)
	}
	return out
}
