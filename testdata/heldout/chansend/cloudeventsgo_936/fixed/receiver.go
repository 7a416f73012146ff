// Package fixed is the fixed version of chansend/cloudeventsgo_936: the
// hand-off send also watches the session's context.
package fixed

import (
	"context"
	"io"
	"sync"
)

// ConsumerMessage is one Kafka record.
type ConsumerMessage struct {
	Topic  string
	Offset int64
	Value  []byte
}

// ConsumerGroupSession is the consumer group's current session.
type ConsumerGroupSession interface {
	Context() context.Context
	MarkMessage(msg *ConsumerMessage, metadata string)
}

// ConsumerGroupClaim delivers one partition's records.
type ConsumerGroupClaim interface {
	Messages() <-chan *ConsumerMessage
}

// Message is a received event with its acknowledgement.
type Message struct {
	Value  []byte
	finish func(error)
}

// Finish acknowledges the message.
func (m *Message) Finish(err error) {
	if m.finish != nil {
		m.finish(err)
	}
}

type msgErr struct {
	msg *Message
	err error
}

// Receiver is the sarama consumer group handler.
type Receiver struct {
	once     sync.Once
	incoming chan msgErr
}

// NewReceiver returns a receiver with an unbuffered hand-off channel.
func NewReceiver() *Receiver {
	return &Receiver{incoming: make(chan msgErr)}
}

// Close closes the hand-off channel.
func (r *Receiver) Close(context.Context) error {
	r.once.Do(func() {
		close(r.incoming)
	})
	return nil
}

// ConsumeClaim hands the claim's records to Receive.
func (r *Receiver) ConsumeClaim(session ConsumerGroupSession, claim ConsumerGroupClaim) error {
	for {
		select {
		case msg, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			m := &Message{Value: msg.Value, finish: func(err error) {
				if err == nil {
					session.MarkMessage(msg, "")
				}
			}}
			select {
			case r.incoming <- msgErr{msg: m}:
			case <-session.Context().Done():
				return nil
			}
		case <-session.Context().Done():
			return nil
		}
	}
}

// Receive returns the next message, or io.EOF once ctx is done.
func (r *Receiver) Receive(ctx context.Context) (*Message, error) {
	select {
	case <-ctx.Done():
		return nil, io.EOF
	case me, ok := <-r.incoming:
		if !ok {
			return nil, io.EOF
		}
		return me.msg, me.err
	}
}

// receiveLoop is the application's side: it handles messages until its
// context ends.
func receiveLoop(ctx context.Context, r *Receiver, handle func(*Message) error) {
	for {
		m, err := r.Receive(ctx)
		if err == io.EOF {
			return
		}
		if err != nil {
			continue
		}
		m.Finish(handle(m))
	}
}
