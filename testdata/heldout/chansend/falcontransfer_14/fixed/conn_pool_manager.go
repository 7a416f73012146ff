// Package fixed is the fixed version of chansend/falcontransfer_14: the
// result channel has a buffer of one.
package fixed

import (
	"fmt"
	"net"
	"net/rpc"
	"sync"
	"time"
)

// RpcClient is one pooled connection.
type RpcClient struct {
	cli  *rpc.Client
	name string
}

// Call makes one RPC.
func (c RpcClient) Call(method string, args interface{}, reply interface{}) error {
	return c.cli.Call(method, args, reply)
}

// Close closes the connection.
func (c RpcClient) Close() error {
	if c.cli != nil {
		return c.cli.Close()
	}
	return nil
}

// ConnPool keeps idle connections to one address.
type ConnPool struct {
	sync.Mutex
	Address string
	New     func(name string) (RpcClient, error)
	free    []RpcClient
	active  int
}

// Fetch returns an idle connection or dials a new one.
func (p *ConnPool) Fetch() (RpcClient, error) {
	p.Lock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		p.Unlock()
		return c, nil
	}
	p.active++
	name := fmt.Sprintf("%s_%d", p.Address, p.active)
	p.Unlock()
	return p.New(name)
}

// Release returns a healthy connection to the pool.
func (p *ConnPool) Release(c RpcClient) {
	p.Lock()
	p.free = append(p.free, c)
	p.Unlock()
}

// ForceClose drops a broken connection.
func (p *ConnPool) ForceClose(c RpcClient) {
	p.Lock()
	p.active--
	p.Unlock()
	c.Close()
}

// SafeRpcConnPools manages one pool per backend.
type SafeRpcConnPools struct {
	sync.RWMutex
	M           map[string]*ConnPool
	ConnTimeout int
	CallTimeout int
}

// CreateSafeRpcConnPools makes a pool per address of the cluster.
func CreateSafeRpcConnPools(connTimeout, callTimeout int, cluster []string) *SafeRpcConnPools {
	cp := &SafeRpcConnPools{M: make(map[string]*ConnPool), ConnTimeout: connTimeout, CallTimeout: callTimeout}
	ct := time.Duration(connTimeout) * time.Millisecond
	for _, address := range cluster {
		p := &ConnPool{Address: address}
		p.New = func(name string) (RpcClient, error) {
			conn, err := net.DialTimeout("tcp", p.Address, ct)
			if err != nil {
				return RpcClient{}, err
			}
			return RpcClient{cli: rpc.NewClient(conn), name: name}, nil
		}
		cp.M[address] = p
	}
	return cp
}

// Get returns the pool of one address.
func (this *SafeRpcConnPools) Get(address string) (*ConnPool, bool) {
	this.RLock()
	defer this.RUnlock()
	p, exists := this.M[address]
	return p, exists
}

// Call sends synchronously and returns when the call is done or timed out.
func (this *SafeRpcConnPools) Call(addr, method string, args interface{}, resp interface{}) error {
	connPool, exists := this.Get(addr)
	if !exists {
		return fmt.Errorf("%s has no connection pool", addr)
	}

	rpcClient, err := connPool.Fetch()
	if err != nil {
		return fmt.Errorf("%s get connection fail: %v", addr, err)
	}

	callTimeout := time.Duration(this.CallTimeout) * time.Millisecond

	done := make(chan error, 1)
	go func() {
		done <- rpcClient.Call(method, args, resp)
	}()

	select {
	case <-time.After(callTimeout):
		connPool.ForceClose(rpcClient)
		return fmt.Errorf("%s, call timeout", addr)
	case err = <-done:
		if err != nil {
			connPool.ForceClose(rpcClient)
			err = fmt.Errorf("%s, call failed, err %v", addr, err)
		} else {
			connPool.Release(rpcClient)
		}
		return err
	}
}
