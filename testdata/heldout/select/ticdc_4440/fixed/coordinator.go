// Package fixed is the fixed version of select/ticdc_4440: the send on the
// event channel is a case of the select that watches the context.
package fixed

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
	case c.eventCh.In() <- &Event{message: msg}:
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
