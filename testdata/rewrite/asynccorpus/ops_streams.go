package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TCP streams over 127.0.0.1 in lowered bodies: StartServer,
// OpenConnection, the reads, Drain, WaitClosed, a read cancelled while
// it waits for data (the data it waited for goes to the buffer), a read
// while another waits. The server's handler is a direct-mode task that
// awaits a lowered coroutine (run inline). What the server sees is
// logged at the end: its order against the client's depends on the
// network.

// opsServeConn answers each line in upper case; "wait" is answered once
// release is set, "big" with 200000 bytes and a newline.
//
//asyncgo:async
func opsServeConn(r *aio.StreamReader, w *aio.StreamWriter, release *aio.Event, seen *[]string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer w.Close()
		n := 0
		for {
			line, err := r.ReadLine(t)
			if err != nil {
				*seen = append(*seen, fmt.Sprintf("server: %q %v after %d lines", line, err, n))
				return n, nil
			}
			n++
			*seen = append(*seen, fmt.Sprintf("server: %q", line))
			switch string(line) {
			case "wait\n":
				if err := release.Wait(t); err != nil {
					return n, err
				}
				w.WriteString("late\n")
			case "big\n":
				w.Write(bytes.Repeat([]byte{'x'}, 200000))
				w.WriteString("\n")
			default:
				w.Write(bytes.ToUpper(line))
			}
			if err := w.Drain(t); err != nil {
				return n, err
			}
		}
	})
}

// opsReadLine reads a line of r.
//
//asyncgo:async
func opsReadLine(r *aio.StreamReader) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		line, err := r.ReadLine(t)
		return string(line), err
	})
}

// opsServeForever serves until cancelled.
//
//asyncgo:async
func opsServeForever(srv *aio.Server) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		err := srv.ServeForever(t)
		return srv.IsServing(), err
	})
}

// opsStreamsMain is the client.
//
//asyncgo:async
func opsStreamsMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var seen []string
		release := new(aio.Event)
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(ht *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			_, err := aio.Await(ht, opsServeConn(r, w, release, &seen))
			return err
		})
		if err != nil {
			return "", err
		}
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return "", err
		}
		w.WriteString("hello\n")
		if err := w.Drain(t); err != nil {
			return "", err
		}
		line, err := r.ReadLine(t)
		logf(l, "line %q %v", line, err)
		w.WriteString("abcdef\n")
		p, err := r.ReadExactly(t, 2)
		logf(l, "exactly %q %v", p, err)
		p, err = r.ReadUntil(t, []byte("E"))
		logf(l, "until %q %v", p, err)
		p, err = r.Read(t, 100)
		logf(l, "read %q %v", p, err)

		w.WriteString("wait\n")
		rd := aio.CreateTask(t, opsReadLine(r))
		aio.Sleep(t, 0)
		aio.Sleep(t, 0)
		_, err = r.ReadLine(t) // rd is waiting for data
		logf(l, "second reader: %v", err)
		rd.Cancel()
		s, err := aio.Await(t, rd)
		logf(l, "cancelled reader %q %v", s, err)
		release.Set()
		line, err = r.ReadLine(t)
		logf(l, "after the cancelled read %q %v", line, err)

		w.WriteString("big\n")
		p, err = r.ReadExactly(t, 150000)
		logf(l, "big: %d bytes %v", len(p), err)
		line, err = r.ReadLine(t)
		logf(l, "big line: %d bytes %v", len(line), err)
		// Three lines of 30000 bytes: over the high-water mark, Drain waits.
		w.Write(bytes.Repeat(append(bytes.Repeat([]byte("y"), 30000), '\n'), 3))
		w.WriteString("last\n")
		if err := w.Drain(t); err != nil {
			return "", err
		}
		w.WriteEOF()
		for range 4 {
			line, err = r.ReadLine(t)
			logf(l, "echoed: %d bytes %q %v", len(line), line[len(line)-2:], err)
		}
		p, err = r.Read(t, -1)
		logf(l, "rest %q %v", p, err)
		p, err = r.ReadExactly(t, 1)
		logf(l, "at the end %q %v %v", p, err, errors.Is(err, io.ErrUnexpectedEOF))
		w.Close()
		if err := w.WaitClosed(t); err != nil {
			return "", err
		}
		sf := aio.CreateTask(t, opsServeForever(srv))
		aio.Sleep(t, 0)
		sf.Cancel() // closes the server
		_, err = aio.Await(t, sf)
		logf(l, "serve forever: %v, serving %v", err, srv.IsServing())
		if err := srv.WaitClosed(t); err != nil {
			return "", err
		}
		for _, s := range seen {
			logf(l, "%s", strings.ReplaceAll(s, strings.Repeat("y", 30000), "y*30000"))
		}
		return "ok", nil
	})
}

var _ = register("ops_streams", func() { run(opsStreamsMain()) })
