// Package bug is a held-out kernel (issue 14): when the read loop of a
// gremlin-go connection fails, its error callback closes the protocol,
// and close waits on the WaitGroup for the read loop, that is for itself.
//
// Upstream: apache/tinkerpop#1754 ("gremlin-go: fix deadlock on (*DriverRemoteConnection).Close")
// Round: 19
//
// Bug: newGremlinServerWSProtocol does wg.Add(1) and starts readLoop,
// which calls wg.Done only when it returns. On a read, deserialization or
// response error, readLoop calls readErrorHandler, which closes the result
// sets and calls the errorCallback the connection registered
// (connection.errorCallback); that callback calls protocol.close, which
// waits on wg. The Done it waits for comes after the callback returns, in
// the same goroutine, so readLoop blocks forever in wg.Wait, and a
// client's later Close blocks on the same Wait (the PR: "A deadlock can
// still happen in readLoop if errorCallback is called before the
// connection protocol is closed and, because of this, close calls
// wg.Wait"; #1734 before it only kept a second close from waiting).
// Reduced from gremlin-go/driver/protocol.go and connection.go as stored
// before #1734; the serializer, the logging, the authentication reply and
// the status codes are left out, and the transporter is an interface.
//
// Fix: close takes a wait parameter; connection.close calls
// protocol.close(true), the error callback protocol.close(false), so the
// read loop never waits for itself.
package bug

import (
	"errors"
	"sync"
)

// ResultSet collects the results of one request.
type ResultSet interface {
	Close()
	setError(err error)
}

type synchronizedMap struct {
	syncLock sync.Mutex
	internal map[string]ResultSet
}

func (m *synchronizedMap) synchronizedRange(f func(key string, value ResultSet)) {
	m.syncLock.Lock()
	defer m.syncLock.Unlock()
	for k, v := range m.internal {
		f(k, v)
	}
}

func (m *synchronizedMap) load(key string) ResultSet {
	m.syncLock.Lock()
	defer m.syncLock.Unlock()
	return m.internal[key]
}

type response struct {
	responseID string
	err        error
}

// transporter is the websocket under the protocol.
type transporter interface {
	Connect() error
	Write(data []byte) error
	Read() ([]byte, error)
	Close() error
}

type protocol interface {
	readLoop(resultSets *synchronizedMap, errorCallback func())
	write(data []byte) error
	close() error
}

type gremlinServerWSProtocol struct {
	transporter transporter
	decode      func(msg []byte) (response, error)
	closed      bool
	mutex       sync.Mutex
	wg          *sync.WaitGroup
}

func (protocol *gremlinServerWSProtocol) readLoop(resultSets *synchronizedMap, errorCallback func()) {
	for {
		// Read from transport layer. If the channel is closed, this will error out and exit.
		msg, err := protocol.transporter.Read()
		protocol.mutex.Lock()
		if protocol.closed {
			protocol.mutex.Unlock()
			protocol.wg.Done()
			return
		}
		protocol.mutex.Unlock()
		if err != nil {
			_ = protocol.transporter.Close()
			readErrorHandler(resultSets, errorCallback, err) // heldout:site
			protocol.wg.Done()
			return
		}

		resp, err := protocol.decode(msg)
		if err != nil {
			readErrorHandler(resultSets, errorCallback, err) // heldout:site
			protocol.wg.Done()
			return
		}

		err = protocol.responseHandler(resultSets, resp)
		if err != nil {
			readErrorHandler(resultSets, errorCallback, err) // heldout:site
			protocol.wg.Done()
			return
		}
	}
}

// If there is an error, we need to close the ResultSets and then pass the error back.
func readErrorHandler(resultSets *synchronizedMap, errorCallback func(), err error) {
	resultSets.synchronizedRange(func(_ string, resultSet ResultSet) {
		resultSet.setError(err)
		resultSet.Close()
	})
	errorCallback()
}

func (protocol *gremlinServerWSProtocol) responseHandler(resultSets *synchronizedMap, resp response) error {
	rs := resultSets.load(resp.responseID)
	if rs == nil {
		return errors.New("result set not created")
	}
	if resp.err != nil {
		rs.setError(resp.err)
	}
	rs.Close()
	return nil
}

func (protocol *gremlinServerWSProtocol) write(data []byte) error {
	return protocol.transporter.Write(data)
}

func (protocol *gremlinServerWSProtocol) close() (err error) {
	protocol.mutex.Lock()
	if !protocol.closed {
		err = protocol.transporter.Close()
		protocol.closed = true
	}
	protocol.mutex.Unlock()
	protocol.wg.Wait() // heldout:site
	return
}

func newGremlinServerWSProtocol(transport transporter, decode func([]byte) (response, error), results *synchronizedMap, errorCallback func()) (protocol, error) {
	wg := &sync.WaitGroup{}
	gremlinProtocol := &gremlinServerWSProtocol{
		transporter: transport,
		decode:      decode,
		wg:          wg,
	}
	if err := gremlinProtocol.transporter.Connect(); err != nil {
		return nil, err
	}
	wg.Add(1)
	go gremlinProtocol.readLoop(results, errorCallback)
	return gremlinProtocol, nil
}

type connectionState int

const (
	initialized connectionState = iota
	established
	closed
	closedDueToError
)

type connection struct {
	protocol protocol
	results  *synchronizedMap
	state    connectionState
}

func (connection *connection) errorCallback() {
	connection.state = closedDueToError
	_ = connection.protocol.close() // heldout:site
}

func (connection *connection) close() error {
	if connection.state != established {
		return errors.New("cannot close connection that has already been closed or has not been connected")
	}
	connection.state = closed
	return connection.protocol.close()
}

func (connection *connection) write(data []byte) error {
	if connection.state != established {
		return errors.New("cannot write to a closed connection")
	}
	return connection.protocol.write(data)
}

func createConnection(transport transporter, decode func([]byte) (response, error)) (*connection, error) {
	conn := &connection{
		results: &synchronizedMap{internal: map[string]ResultSet{}},
		state:   initialized,
	}
	protocol, err := newGremlinServerWSProtocol(transport, decode, conn.results, conn.errorCallback)
	if err != nil {
		return nil, err
	}
	conn.protocol = protocol
	conn.state = established
	return conn, nil
}
