// Package fixed is the fixed version of doublelock/abci_115: StopForError
// records the error under the mutex and stops the service without it.
package fixed

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
	cli.mtx.Lock()
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
	cli.mtx.Lock()
	if cli.err == nil {
		cli.err = err
	}
	cli.mtx.Unlock()
	cli.Stop()
}
