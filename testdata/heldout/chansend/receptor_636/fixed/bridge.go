// Package fixed is the fixed version of chansend/receptor_636: the done
// channel is buffered for both halves, so the half that finishes second
// sends without a receiver and returns.
package fixed

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
	done <- true
}

// BridgeConns copies data both ways between c1 and c2 until either side
// fails, then closes both.
func BridgeConns(c1 Conn, c1Name string, c2 Conn, c2Name string, logger Logger) {
	done := make(chan bool, 2)
	go bridgeHalf(c1, c1Name, c2, c2Name, done, logger)
	go bridgeHalf(c2, c2Name, c1, c1Name, done, logger)
	<-done
	_ = c1.Close()
	_ = c2.Close()
}
