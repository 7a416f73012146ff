// Package bug is a held-out kernel (issue 14): the coordinator's message
// handler checks the context in a select and does its send on the event
// channel in the default branch, so once the run loop that drains the
// channel has stopped, the handler blocks on that send for ever and the
// message center's receive goroutine with it.
//
// Upstream: pingcap/ticdc#4440 ("coordinator maybe stuck in recvMessages")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: the message center calls the coordinator's registered handler,
// recvMessages, for each message on the coordinator topic. recvMessages
// did select { case <-ctx.Done(): return ctx.Err(); default:
// c.eventCh.In() <- event }: the ctx case is only looked at once, before
// the send, so a send that blocks (the run loop gone at ctx cancel, or
// busy) can no longer see the cancellation; the issue calls it a
// goroutine leak and a stop deadlock. Our reduction: eventCh, an
// unlimited channel upstream, is a channel with In and Out ends drained
// by Run, and the message center is a loop over a channel of messages.
//
// Fix (ticdc#4441): the send is a case of the same select as ctx.Done().
package bug

import "context"

// TargetMessage is one message for the coordinator.
type TargetMessage struct {
	From    string
	Topic   string
	Message []any
}

// Event is what the run loop handles.
type Event struct {
	message *TargetMessage
}

type eventChan struct {
	ch chan *Event
}

func (e *eventChan) In() chan<- *Event  { return e.ch }
func (e *eventChan) Out() <-chan *Event { return e.ch }

// MessageHandler handles one message of a topic.
type MessageHandler func(ctx context.Context, msg *TargetMessage) error

// MessageCenter delivers messages to the handler of their topic.
type MessageCenter struct {
	handlers map[string]MessageHandler
	recv     chan *TargetMessage
}

// NewMessageCenter returns a center with no handlers.
func NewMessageCenter() *MessageCenter {
	return &MessageCenter{handlers: map[string]MessageHandler{}, recv: make(chan *TargetMessage, 128)}
}

// RegisterHandler sets the handler of topic.
func (mc *MessageCenter) RegisterHandler(topic string, h MessageHandler) {
	mc.handlers[topic] = h
}

// Run delivers received messages until ctx is done.
func (mc *MessageCenter) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-mc.recv:
			if h, ok := mc.handlers[msg.Topic]; ok {
				_ = h(ctx, msg)
			}
		}
	}
}

// Coordinator schedules changefeeds.
type Coordinator struct {
	mc      *MessageCenter
	eventCh *eventChan
	handled int
}

// New registers the coordinator's handler on mc.
func New(mc *MessageCenter) *Coordinator {
	c := &Coordinator{mc: mc, eventCh: &eventChan{ch: make(chan *Event)}}
	mc.RegisterHandler("coordinator", c.recvMessages)
	return c
}

func (c *Coordinator) recvMessages(ctx context.Context, msg *TargetMessage) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		c.eventCh.In() <- &Event{message: msg} // heldout:site
	}
	return nil
}

// Run handles events until ctx is done.
func (c *Coordinator) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case event := <-c.eventCh.Out():
			c.handleEvent(event)
		}
	}
}

func (c *Coordinator) handleEvent(e *Event) {
	if e.message != nil {
		c.handled++
	}
}

// Start runs the message center and the coordinator under ctx.
func Start(ctx context.Context) *Coordinator {
	mc := NewMessageCenter()
	c := New(mc)
	go mc.Run(ctx)
	go c.Run(ctx)
	return c
}
