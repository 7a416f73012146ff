// Package bug is a held-out kernel (issue 14): evcc's OCPP charge point
// locks itself twice when a StopTransaction arrives. CP.StopTransaction
// looks the connector up with connectorByTransactionID, which holds the
// charge point's mutex while it asks each connector for its transaction
// ID; Connector.TransactionID first checks that its charge point is still
// connected, and CP.Connected takes the charge point's mutex again.
//
// Upstream: evcc-io/evcc#10355 ("Ocpp: fix deadlock when client stops transaction")
// Round: 15
//
// Bug: the PR's goroutine dump: sync.Mutex.Lock in CP.Connected (cp.go),
// called from Connector.TransactionID (connector.go), from
// CP.connectorByTransactionID (cp.go), from CP.StopTransaction
// (cp_core.go), from CS.OnStopTransaction. The CP and Connector types,
// their methods and the central system's handler follow charger/ocpp;
// the OCPP messages are our reduction to structs, and which function took
// the charge point's lock first is our reading of the dump.
//
// Fix: our reading of the PR (the thread shows the dump, not the diff):
// connectorByTransactionID copies the connector list under the lock and
// asks the connectors after releasing it.
package bug

import (
	"errors"
	"sync"
	"time"
)

// ErrTimeout is returned when the charge point is not connected.
var ErrTimeout = errors.New("timeout")

// StopTransactionRequest is the OCPP StopTransaction.req.
type StopTransactionRequest struct {
	TransactionId int
	MeterStop     int
}

// StopTransactionConfirmation is the OCPP StopTransaction.conf.
type StopTransactionConfirmation struct {
	Accepted bool
}

// CP is a charge point.
type CP struct {
	mu        sync.Mutex
	id        string
	connected bool
	connC     chan struct{}

	connectors map[int]*Connector
}

// NewChargePoint creates a charge point.
func NewChargePoint(id string) *CP {
	return &CP{id: id, connC: make(chan struct{}, 1), connectors: make(map[int]*Connector)}
}

// Connect marks the charge point connected.
func (cp *CP) Connect() {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.connected = true
	select {
	case cp.connC <- struct{}{}:
	default:
	}
}

// Connected reports whether the charge point is connected.
func (cp *CP) Connected() bool {
	cp.mu.Lock() // heldout:site
	defer cp.mu.Unlock()
	return cp.connected
}

func (cp *CP) registerConnector(id int, conn *Connector) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	cp.connectors[id] = conn
}

func (cp *CP) connectorByTransactionID(id int) *Connector {
	cp.mu.Lock()
	defer cp.mu.Unlock()

	for _, conn := range cp.connectors {
		if txn, err := conn.TransactionID(); err == nil && txn == id { // heldout:site
			return conn
		}
	}
	return nil
}

// StopTransaction handles a StopTransaction from the charge point.
func (cp *CP) StopTransaction(request *StopTransactionRequest) (*StopTransactionConfirmation, error) {
	if conn := cp.connectorByTransactionID(request.TransactionId); conn != nil {
		return conn.StopTransaction(request)
	}
	return &StopTransactionConfirmation{Accepted: true}, nil
}

// Connector is one connector of a charge point.
type Connector struct {
	mu    sync.Mutex
	cp    *CP
	id    int
	txnId int
	meter int
}

// NewConnector creates a connector and registers it with its charge point.
func NewConnector(id int, cp *CP) *Connector {
	conn := &Connector{cp: cp, id: id}
	cp.registerConnector(id, conn)
	return conn
}

// TransactionID returns the running transaction's ID.
func (conn *Connector) TransactionID() (int, error) {
	if !conn.cp.Connected() { // heldout:site
		return 0, ErrTimeout
	}

	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.txnId, nil
}

// StopTransaction ends the connector's transaction.
func (conn *Connector) StopTransaction(request *StopTransactionRequest) (*StopTransactionConfirmation, error) {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	conn.txnId = 0
	conn.meter = request.MeterStop
	return &StopTransactionConfirmation{Accepted: true}, nil
}

// CS is the central system that routes messages to charge points.
type CS struct {
	mu  sync.Mutex
	cps map[string]*CP
}

// OnStopTransaction routes a StopTransaction to its charge point.
func (cs *CS) OnStopTransaction(id string, request *StopTransactionRequest) (*StopTransactionConfirmation, error) {
	cs.mu.Lock()
	cp, ok := cs.cps[id]
	cs.mu.Unlock()
	if !ok {
		return nil, errors.New("unknown charge point")
	}
	return cp.StopTransaction(request)
}

// Run stops a transaction on a connected charge point.
func Run() {
	cp := NewChargePoint("SN1")
	conn := NewConnector(1, cp)
	conn.txnId = 99
	cp.Connect()
	cs := &CS{cps: map[string]*CP{"SN1": cp}}

	done := make(chan struct{})
	go func() {
		defer close(done)
		cs.OnStopTransaction("SN1", &StopTransactionRequest{TransactionId: 99, MeterStop: 1000})
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
	}
}
