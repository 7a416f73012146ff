// Package bug is a held-out kernel (issue 14): the CDC-to-Kafka
// connector's Close decides whether readyCh is already closed with a
// non-blocking receive, which swallows the buffered "ready" signal,
// concludes the channel is closed and skips close(readyCh); a
// WaitUntilReady after that waits on an open, empty channel, and with a
// context that has no deadline it never returns.
//
// Upstream: Trendyol/go-pq-cdc-kafka#44 ("isClosed drains readyCh and can hang WaitUntilReady after Close")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: readyCh has a buffer of one. Start runs the CDC connector and, in
// a goroutine, waits for it to be ready, starts the producer's batching
// and sends one value on readyCh. WaitUntilReady selects on readyCh and
// ctx.Done(). Close guards close(readyCh) with isClosed, a select with a
// receive and a default: once the ready value is buffered, isClosed
// receives it and reports true, so Close leaves readyCh open and empty.
// The Service type that runs the connector, closes it on Stop and then
// asks whether it ever became ready is our reduction of the issue's
// scenario (WaitUntilReady called after Close, no deadline on its
// context); the CDC connector and the producer are reduced to interfaces.
//
// Fix (our reading of the issue and of the same fix in the sibling
// Trendyol/go-pq-cdc-elasticsearch#34): ready and shutdown are separate
// channels. signalReady closes readyCh once (sync.Once), Close closes a
// new closedCh once, and WaitUntilReady also returns when closedCh is
// closed; isClosed is gone.
package bug

import (
	"context"
	"log"
	"sync"
)

// CDC is the Postgres change-data-capture connector underneath.
type CDC interface {
	Start(ctx context.Context)
	WaitUntilReady(ctx context.Context) error
	Close()
}

// Producer batches messages to Kafka.
type Producer interface {
	StartBatch()
	Close() error
}

// Connector is the public interface of the Kafka connector.
type Connector interface {
	Start(ctx context.Context)
	WaitUntilReady(ctx context.Context) error
	Close()
}

type connector struct {
	cdc      CDC
	producer Producer
	readyCh  chan struct{}
}

// NewConnector builds a connector over cdc and producer.
func NewConnector(cdc CDC, producer Producer) Connector {
	return &connector{
		cdc:      cdc,
		producer: producer,
		readyCh:  make(chan struct{}, 1),
	}
}

func (c *connector) Start(ctx context.Context) {
	go func() {
		log.Print("waiting for connector start...")
		if err := c.cdc.WaitUntilReady(ctx); err != nil {
			panic(err)
		}
		log.Print("bulk process started")
		c.producer.StartBatch()
		c.readyCh <- struct{}{}
	}()
	c.cdc.Start(ctx)
}

func (c *connector) WaitUntilReady(ctx context.Context) error {
	select { // heldout:site
	case <-c.readyCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *connector) Close() {
	if !isClosed(c.readyCh) { // heldout:site
		close(c.readyCh)
	}
	c.cdc.Close()
	if err := c.producer.Close(); err != nil {
		log.Printf("kafka producer close: %v", err)
	}
}

// isClosed is meant to report whether ch is closed; on an open channel
// holding a value it receives that value and reports true.
func isClosed[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
	}
	return false
}

// Service runs a connector until it is stopped.
type Service struct {
	conn     Connector
	stop     chan struct{}
	stopOnce sync.Once
}

// NewService returns a service for conn.
func NewService(conn Connector) *Service {
	return &Service{conn: conn, stop: make(chan struct{})}
}

// Stop asks Run to shut the connector down.
func (s *Service) Stop() { s.stopOnce.Do(func() { close(s.stop) }) }

// Run starts the connector, closes it when stopped and reports whether it
// had become ready.
func (s *Service) Run(ctx context.Context) error {
	go s.conn.Start(ctx)
	<-s.stop
	s.conn.Close()
	return s.conn.WaitUntilReady(context.Background()) // heldout:site
}
