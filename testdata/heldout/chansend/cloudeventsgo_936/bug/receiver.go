// Package bug is a held-out kernel (issue 14): a Kafka receiver whose
// ConsumeClaim loop hands each message to the application with a plain
// send on an unbuffered channel; once the application has stopped
// receiving (its context is done), the send blocks for ever and the
// loop never reaches its own session-done case.
//
// Upstream: cloudevents/sdk-go#936 ("context.Done() may never reach if waiting on r.incoming <- msgErr")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: ConsumeClaim selects on the claim's message channel and on
// session.Context().Done(); for each message it does r.incoming <- msgErr.
// Receive, called by the application's receive loop, selects on its ctx
// and on r.incoming. The PR: "even after context is cancelled, the code
// was blocked in ConsumeClaim. And the reason is if the code is blocked
// at r.incoming <- msgErr, it may fail to honour or may skip the outside
// session.Context().Done()." The sarama session and claim are reduced to
// interfaces and the application's loop (receiveLoop) is our stand-in
// for the SDK client's StartReceiver.
//
// Fix: the send is a select that also returns when the session's
// context is done.
package bug

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
			r.incoming <- msgErr{msg: m} // heldout:site
		case <-session.Context().Done():
			return nil
		}
	}
}

// Receive returns the next message, or io.EOF once ctx is done.
func (r *Receiver) Receive(ctx context.Context) (*Message, error) {
	select {
	case <-ctx.Done(): // heldout:site
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
