// Package bug is a held-out kernel (issue 14): katsubushi's memcached
// server starts, for each connection, a goroutine that closes the
// connection when the server's context is done; that context lives as
// long as the process, so when a client disconnects and handleConn
// returns, its goroutine stays blocked on <-ctx.Done() for ever, one per
// connection ever served.
//
// Upstream: kayac/go-katsubushi#28 ("Fix goroutine leak.")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: Listen accepts connections and runs `go app.handleConn(ctx, conn)`
// with the context main passes in (cancelled only on shutdown).
// handleConn counts the connection, defers conn.Close and starts
// `go func() { <-ctx.Done(); conn.Close() }()` so that a shutdown closes
// idle connections, then serves memcached commands until the client quits
// or an error occurs. The PR: "goroutine in handleConn() was leaked
// because the goroutine will be free only when a parent context (started
// with a main process) is done." The memcached command set is reduced to
// GET and QUIT, the ID generator to an interface; the stats are kept.
//
// Fix: handleConn derives `ctx, cancel := context.WithCancel(ctx)` and
// defers cancel, so the watcher goroutine ends when handleConn returns.
package bug

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var respError = []byte("ERROR\r\n")

// Generator issues unique IDs.
type Generator interface {
	NextID() (uint64, error)
}

// App is the katsubushi server.
type App struct {
	Listener net.Listener

	gen     Generator
	readyCh chan interface{}
	mu      sync.Mutex

	idleTimeout time.Duration

	currConnections  int64
	totalConnections int64
}

// NewApp returns an App using gen.
func NewApp(gen Generator) *App {
	return &App{gen: gen, idleTimeout: 600 * time.Second, readyCh: make(chan interface{})}
}

// Listen serves connections from l until ctx is done.
func (app *App) Listen(ctx context.Context, l net.Listener) error {
	app.Listener = l
	close(app.readyCh)

	go func() {
		<-ctx.Done()
		if err := l.Close(); err != nil {
			log.Print(err)
		}
	}()

	for {
		conn, err := l.Accept()
		if err != nil {
			select {
			case <-ctx.Done():
				return nil
			default:
				return err
			}
		}
		go app.handleConn(ctx, conn) // heldout:site
	}
}

// Ready is closed once the app accepts connections.
func (app *App) Ready() chan interface{} {
	return app.readyCh
}

func (app *App) handleConn(ctx context.Context, conn net.Conn) {
	atomic.AddInt64(&app.totalConnections, 1)
	atomic.AddInt64(&app.currConnections, 1)
	defer atomic.AddInt64(&app.currConnections, -1)
	defer conn.Close()

	go func() {
		<-ctx.Done() // heldout:site
		conn.Close()
	}()

	app.extendDeadline(conn)

	scanner := bufio.NewScanner(conn)
	w := bufio.NewWriter(conn)
	for scanner.Scan() {
		app.extendDeadline(conn)
		cmd, err := app.BytesToCmd(scanner.Bytes())
		if err != nil {
			if _, err := conn.Write(respError); err != nil {
				return
			}
			continue
		}
		if err := cmd.Execute(app, w); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
}

func (app *App) extendDeadline(conn net.Conn) {
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.idleTimeout == 0 {
		return
	}
	conn.SetDeadline(time.Now().Add(app.idleTimeout))
}

// MemdCmd is a memcached command.
type MemdCmd interface {
	Execute(*App, io.Writer) error
}

// MemdCmdGet generates one ID per key.
type MemdCmdGet struct {
	Keys []string
}

// Execute writes the generated IDs.
func (cmd *MemdCmdGet) Execute(app *App, w io.Writer) error {
	for _, key := range cmd.Keys {
		id, err := app.gen.NextID()
		if err != nil {
			_, err = w.Write(respError)
			return err
		}
		v := strconv.FormatUint(id, 10)
		fmt.Fprintf(w, "VALUE %s 0 %d\r\n%s\r\n", key, len(v), v)
	}
	_, err := io.WriteString(w, "END\r\n")
	return err
}

// MemdCmdQuit closes the connection.
type MemdCmdQuit int

// Execute ends the connection.
func (MemdCmdQuit) Execute(*App, io.Writer) error { return io.EOF }

// BytesToCmd parses a command line.
func (app *App) BytesToCmd(data []byte) (MemdCmd, error) {
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return nil, errors.New("No command")
	}
	switch strings.ToUpper(fields[0]) {
	case "GET", "GETS":
		if len(fields) < 2 {
			return nil, errors.New("GET command needs key as second parameter")
		}
		return &MemdCmdGet{Keys: fields[1:]}, nil
	case "QUIT":
		return MemdCmdQuit(0), nil
	}
	return nil, fmt.Errorf("Unknown command: %s", fields[0])
}
