package real

import "sync"

// Session 25 (bufvar): mit-dci/lit#181 with the token put by a helper
// method. newTokConn puts the one-slot token through release; resume, on
// its recovery path, calls release again while the conn is still private
// to it: nothing can have taken the first token, and the second put
// blocks forever with c.mu held. Fix: the recovery path does not put a
// second token.
type tokConn struct {
	mu      sync.Mutex
	sendTok chan bool
	seq     uint64
}

func (c *tokConn) release() {
	c.sendTok <- true
}

func newTokConn() *tokConn {
	c := &tokConn{sendTok: make(chan bool, 1)}
	c.release()
	return c
}

func resumeTokConn(seq uint64, interrupted bool) *tokConn {
	c := newTokConn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = seq
	if interrupted {
		c.release() // want `the send this call makes blocks forever: the channel \(field sendTok, room for 1\) is already full`
	}
	return c
}

// The fix: the token is put once.
func resumeTokConnFixed(seq uint64) *tokConn {
	c := newTokConn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = seq
	return c
}

// Look-alike: the recovery path takes the token (acquire receives) before
// it puts it back; silent.
func (c *tokConn) acquire() {
	<-c.sendTok
}

func resumeTokConnRetake(seq uint64, interrupted bool) *tokConn {
	c := newTokConn()
	c.mu.Lock()
	defer c.mu.Unlock()
	if interrupted {
		c.acquire()
		c.seq = seq
		c.release()
	}
	return c
}

// Look-alike: the helper puts the token only when the conn has none
// (tested under a flag it keeps), so the second call may send nothing;
// silent.
type flagTokConn struct {
	sendTok chan bool
	has     bool
}

func (c *flagTokConn) release() {
	if c.has {
		return
	}
	c.has = true
	c.sendTok <- true
}

func resumeFlagTokConn(interrupted bool) *flagTokConn {
	c := &flagTokConn{sendTok: make(chan bool, 1)}
	c.release()
	if interrupted {
		c.release()
	}
	return c
}

// Look-alike: the conn is registered (published) before the recovery path
// puts the token again: another goroutine may have taken the first;
// silent.
type tokRegistry struct {
	mu    sync.Mutex
	conns map[uint64]*tokConn
}

func (r *tokRegistry) resume(seq uint64, interrupted bool) *tokConn {
	c := newTokConn()
	r.mu.Lock()
	r.conns[seq] = c
	r.mu.Unlock()
	if interrupted {
		c.release()
	}
	return c
}
