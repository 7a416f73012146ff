// Package bug is a held-out kernel (issue 14): a connection bridge whose
// two copying halves each report on an unbuffered done channel that is
// received from only once, so the second half blocks forever.
//
// Upstream: ansible/receptor#636 ("Fix goroutine leak in utils.BridgeConns")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: BridgeConns starts one bridgeHalf per direction; each copies from
// one connection to the other and then sends true on a shared unbuffered
// done channel. BridgeConns waits for the first half to finish, closes
// both connections and returns; the other half, unblocked by the close,
// then sends on done with nobody left to receive it. The PR states the
// cause; the connection interface and copy loop are our reduction.
//
// Fix: done is buffered for both halves, so each send completes.
package bug

import "io"

// Conn is one end of a bridged connection.
type Conn interface {
	io.ReadWriteCloser
}

// Logger logs.
type Logger interface {
	Debugf(format string, args ...any)
}

func bridgeHalf(c1 Conn, c1Name string, c2 Conn, c2Name string, done chan bool, logger Logger) {
	buf := make([]byte, 32*1024)
	for {
		n, err := c1.Read(buf)
		if n > 0 {
			if _, werr := c2.Write(buf[:n]); werr != nil {
				logger.Debugf("write to %s: %v", c2Name, werr)
				break
			}
		}
		if err != nil {
			logger.Debugf("read from %s: %v", c1Name, err)
			break
		}
	}
	done <- true // heldout:site
}

// BridgeConns copies data both ways between c1 and c2 until either side
// fails, then closes both.
func BridgeConns(c1 Conn, c1Name string, c2 Conn, c2Name string, logger Logger) {
	done := make(chan bool) // heldout:site
	go bridgeHalf(c1, c1Name, c2, c2Name, done, logger)
	go bridgeHalf(c2, c2Name, c1, c1Name, done, logger)
	<-done
	_ = c1.Close()
	_ = c2.Close()
}
