package real

import "net"

// goSafe starts f, its only argument, on a goroutine that survives f's
// panic: a goroutine start all the same.
func goSafe(f func()) {
	go func() {
		defer func() { _ = recover() }()
		f()
	}()
}

// acceptStarted waits for a goroutine that returns without sending when
// Accept fails.
func acceptStarted(ln net.Listener) net.Conn {
	ch := make(chan net.Conn)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		ch <- c
	}()
	return <-ch // want `acceptStarted waits here for the goroutine started at line 18, but that goroutine can return at line 21 without sending`
}

// acceptWrapped is the same, started through goSafe.
func acceptWrapped(ln net.Listener) net.Conn {
	ch := make(chan net.Conn)
	goSafe(func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		ch <- c
	})
	return <-ch // want `acceptWrapped waits here for the goroutine started at line 31, but that goroutine can return at line 34 without sending`
}

// acceptWrappedClosed closes the channel on the error path: the receive
// gets nil and the caller goes on.
func acceptWrappedClosed(ln net.Listener) net.Conn {
	ch := make(chan net.Conn)
	goSafe(func() {
		c, err := ln.Accept()
		if err != nil {
			close(ch)
			return
		}
		ch <- c
	})
	return <-ch
}
