package stuckroots

import "sync"

func spin() bool { return len(pool) > 0 }

var pool []int

// Look-alikes: as many goroutines as added, by a range over an int
// (go/ssa guards the loop with 0 < n: the bound's count decides it); each
// goroutine spins a long constant loop before its deferred Done; by a
// range over the slice whose length was added.
func rangeIntWorkers(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go func() {
			defer wg.Done()
			for range 100000 {
				spin()
			}
		}()
	}
	wg.Wait()
}

func rangeIntPlain(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go func() {
			defer wg.Done()
		}()
	}
	wg.Wait()
}

func rangeSlice(xs []int) {
	var wg sync.WaitGroup
	wg.Add(len(xs))
	for _, x := range xs {
		go func() {
			defer wg.Done()
			_ = x
		}()
	}
	wg.Wait()
}

// Look-alike (net/rpc's ServeCodec): the worker's Done is deferred only
// when it was handed a WaitGroup; the server always hands one, so the
// nil branch never runs. The serving lock is taken and released around
// each reply.
type rpcCodec interface {
	read() (int, bool)
	write(int)
}

func serveCall(sending *sync.Mutex, wg *sync.WaitGroup, codec rpcCodec, req int) {
	if wg != nil {
		defer wg.Done()
	}
	sending.Lock()
	codec.write(req)
	sending.Unlock()
}

func serveCodec(codec rpcCodec) {
	sending := new(sync.Mutex)
	wg := new(sync.WaitGroup)
	for {
		req, ok := codec.read()
		if !ok {
			break
		}
		wg.Add(1)
		go serveCall(sending, wg, codec, req)
	}
	wg.Wait()
}

// The synchronous path hands no WaitGroup.
func serveOne(codec rpcCodec) {
	sending := new(sync.Mutex)
	if req, ok := codec.read(); ok {
		serveCall(sending, nil, codec, req)
	}
}
