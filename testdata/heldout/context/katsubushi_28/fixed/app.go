// Package fixed is the fixed version of context/katsubushi_28:
// handleConn derives a cancellable context and cancels it on return, so
// each connection's watcher goroutine ends with the connection.
package fixed

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
		go app.handleConn(ctx, conn)
	}
}

// Ready is closed once the app accepts connections.
func (app *App) Ready() chan interface{} {
	return app.readyCh
}

func (app *App) handleConn(ctx context.Context, conn net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	atomic.AddInt64(&app.totalConnections, 1)
	atomic.AddInt64(&app.currConnections, 1)
	defer atomic.AddInt64(&app.currConnections, -1)
	defer conn.Close()

	go func() {
		<-ctx.Done()
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
