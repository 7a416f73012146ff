// Package bug is a held-out kernel (issue 14): an ABCI socket client whose
// StopForError holds the client mutex while stopping the service, and the
// service's OnStop, reached through the BaseService's interface, locks the
// same mutex.
//
// Upstream: tendermint/abci#115 ("socketClient: fix and test for StopForError deadlock")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: when the receive routine fails to read a response it calls
// StopForError, which locks cli.mtx (deferring the unlock) to record the
// first error and then calls cli.Stop(). BaseService.Stop calls the
// implementation's OnStop through the Service interface, and socketClient's
// OnStop locks cli.mtx to close the connection and flush the queue: the
// goroutine waits on the lock it holds, and every later request waits
// behind it. The PR (fixing #114) calls it accidental mutex misuse; the
// service plumbing is our reduction.
//
// Fix: StopForError releases cli.mtx after recording the error and calls
// Stop without it.
package bug

import (
	"bufio"
	"container/list"
	"net"
	"sync"
	"sync/atomic"
)

// Service is started and stopped by BaseService.
type Service interface {
	OnStart() error
	OnStop()
}

// BaseService runs a Service's hooks once.
type BaseService struct {
	started uint32
	stopped uint32
	impl    Service
}

// Stop calls the implementation's OnStop the first time.
func (bs *BaseService) Stop() bool {
	if atomic.CompareAndSwapUint32(&bs.stopped, 0, 1) {
		bs.impl.OnStop()
		return true
	}
	return false
}

// IsRunning reports whether the service was started and not stopped.
func (bs *BaseService) IsRunning() bool {
	return atomic.LoadUint32(&bs.started) == 1 && atomic.LoadUint32(&bs.stopped) == 0
}

// ReqRes is a request and its pending response.
type ReqRes struct {
	Request  []byte
	Response []byte
	done     chan struct{}
}

type socketClient struct {
	BaseService

	mtx     sync.Mutex
	err     error
	conn    net.Conn
	reqSent *list.List
}

func newSocketClient(conn net.Conn) *socketClient {
	cli := &socketClient{conn: conn, reqSent: list.New()}
	cli.BaseService = BaseService{impl: cli}
	return cli
}

func (cli *socketClient) OnStart() error {
	go cli.recvResponseRoutine()
	return nil
}

func (cli *socketClient) OnStop() {
	cli.mtx.Lock() // heldout:site
	defer cli.mtx.Unlock()
	if cli.conn != nil {
		cli.conn.Close()
	}
	cli.flushQueue()
}

func (cli *socketClient) flushQueue() {
	for e := cli.reqSent.Front(); e != nil; e = e.Next() {
		close(e.Value.(*ReqRes).done)
	}
	cli.reqSent.Init()
}

func (cli *socketClient) recvResponseRoutine() {
	r := bufio.NewReader(cli.conn)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			cli.StopForError(err)
			return
		}
		cli.mtx.Lock()
		if e := cli.reqSent.Front(); e != nil {
			rr := cli.reqSent.Remove(e).(*ReqRes)
			rr.Response = line
			close(rr.done)
		}
		cli.mtx.Unlock()
	}
}

// StopForError stops the client, remembering the first error.
func (cli *socketClient) StopForError(err error) {
	if !cli.IsRunning() {
		return
	}
	cli.mtx.Lock() // heldout:site
	defer cli.mtx.Unlock()
	if cli.err == nil {
		cli.err = err
	}
	cli.Stop()
}
