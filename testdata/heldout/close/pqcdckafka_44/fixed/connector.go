// Package fixed is the fixed version of close/pqcdckafka_44: readiness is
// signalled by closing readyCh once and shutdown by closing closedCh once,
// and WaitUntilReady returns when either is closed.
package fixed

import (
	"context"
	"errors"
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

// ErrConnectorClosed is returned by WaitUntilReady after Close.
var ErrConnectorClosed = errors.New("connector closed")

type connector struct {
	cdc       CDC
	producer  Producer
	readyCh   chan struct{}
	readyOnce sync.Once
	closedCh  chan struct{}
	closeOnce sync.Once
}

// NewConnector builds a connector over cdc and producer.
func NewConnector(cdc CDC, producer Producer) Connector {
	return &connector{
		cdc:      cdc,
		producer: producer,
		readyCh:  make(chan struct{}),
		closedCh: make(chan struct{}),
	}
}

func (c *connector) signalReady() {
	c.readyOnce.Do(func() { close(c.readyCh) })
}

func (c *connector) Start(ctx context.Context) {
	go func() {
		log.Print("waiting for connector start...")
		if err := c.cdc.WaitUntilReady(ctx); err != nil {
			panic(err)
		}
		log.Print("bulk process started")
		c.producer.StartBatch()
		c.signalReady()
	}()
	c.cdc.Start(ctx)
}

func (c *connector) WaitUntilReady(ctx context.Context) error {
	select {
	case <-c.readyCh:
		return nil
	case <-c.closedCh:
		return ErrConnectorClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *connector) Close() {
	c.closeOnce.Do(func() {
		close(c.closedCh)
		c.cdc.Close()
		if err := c.producer.Close(); err != nil {
			log.Printf("kafka producer close: %v", err)
		}
	})
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
	return s.conn.WaitUntilReady(context.Background())
}
