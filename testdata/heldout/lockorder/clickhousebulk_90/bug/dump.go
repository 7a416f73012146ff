// Package bug is a held-out kernel (issue 14): a ClickHouse bulk proxy
// whose sender, on a failed insert, takes the Clickhouse lock and then the
// file dumper's lock to write the query to disk, while the dump listener
// takes the dumper's lock and then, resending an old dump, the Clickhouse
// lock to pick the next server; the two goroutines wait for each other.
//
// Upstream: nikepan/clickhouse-bulk#90 ("Fix for deadlock")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: issue #64 names the two orders and the PR gives the pprof stacks:
// Clickhouse.Dump holds Clickhouse.mu and calls the Dumper's Dump, which
// takes FileDumper.mu; FileDumper.ProcessNextDump (run by Listen's ticker
// goroutine) holds FileDumper.mu and calls the sender's SendQuery, whose
// GetNextServer takes Clickhouse.mu. Files, HTTP and metrics are reduced
// to a map of dumps and a stub server; the queue to a channel.
//
// Fix: the PR's diff was not in the thread we read; the fixed version is
// our reading of it and of the fix issue #64 proposed: Clickhouse.Dump no
// longer holds Clickhouse.mu around the call to the Dumper (the dumper has
// its own lock), so the only nesting left is FileDumper.mu then
// Clickhouse.mu.
package bug

import (
	"errors"
	"sort"
	"sync"
	"time"
)

// ErrNoDumps says there is nothing left to resend.
var ErrNoDumps = errors.New("no dumps")

// ClickhouseRequest is one insert.
type ClickhouseRequest struct {
	Params  string
	Content string
}

// Sender sends a query to some server.
type Sender interface {
	SendQuery(r *ClickhouseRequest) (response string, status int, err error)
}

// Dumper saves a failed query.
type Dumper interface {
	Dump(params, content, response, prefix string, status int) error
}

// ClickhouseServer is one backend.
type ClickhouseServer struct {
	URL         string
	LastRequest time.Time
	Bad         bool
}

// SendQuery posts the query to the server.
func (srv *ClickhouseServer) SendQuery(r *ClickhouseRequest) (string, int, error) {
	if srv.URL == "" {
		return "", 502, errors.New("server has no URL")
	}
	return "Ok.", 200, nil
}

// Clickhouse balances queries over its servers.
type Clickhouse struct {
	Servers     []*ClickhouseServer
	Queue       chan *ClickhouseRequest
	Dumper      Dumper
	DownTimeout time.Duration
	mu          sync.Mutex
}

// GetNextServer returns the good server least recently used.
func (c *Clickhouse) GetNextServer() (srv *ClickhouseServer) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	now := time.Now()
	for _, s := range c.Servers {
		if s.Bad {
			if now.Sub(s.LastRequest) > c.DownTimeout {
				s.Bad = false
			} else {
				continue
			}
		}
		if srv == nil || srv.LastRequest.After(s.LastRequest) {
			srv = s
		}
	}
	if srv != nil {
		srv.LastRequest = now
	}
	return srv
}

// SendQuery sends r to the next server.
func (c *Clickhouse) SendQuery(r *ClickhouseRequest) (string, int, error) {
	srv := c.GetNextServer() // heldout:site
	if srv == nil {
		return "", 502, errors.New("no server available")
	}
	resp, status, err := srv.SendQuery(r)
	if err != nil {
		c.mu.Lock()
		srv.Bad = true
		c.mu.Unlock()
	}
	return resp, status, err
}

// Dump saves a failed query through the Dumper.
func (c *Clickhouse) Dump(params, content, response, prefix string, status int) error {
	if c.Dumper != nil {
		c.mu.Lock() // heldout:site
		defer c.mu.Unlock()
		return c.Dumper.Dump(params, content, response, prefix, status) // heldout:site
	}
	return nil
}

// Run sends queued queries, dumping the ones that fail.
func (c *Clickhouse) Run() {
	for r := range c.Queue {
		resp, status, err := c.SendQuery(r)
		if err != nil {
			c.Dump(r.Params, r.Content, resp, "", status)
		}
	}
}

// FileDumper keeps failed queries until they can be resent.
type FileDumper struct {
	dumps       map[string]string
	DumpNum     int
	LockedFiles map[string]bool
	stop        chan struct{}
	mu          sync.Mutex
}

// Dump stores a query.
func (d *FileDumper) Dump(params, content, response, prefix string, status int) error {
	d.mu.Lock() // heldout:site
	defer d.mu.Unlock()
	d.DumpNum++
	name := prefix + "-" + time.Now().Format("150405.000000000")
	d.dumps[name] = params + "\n" + content
	return nil
}

// getDump returns the oldest dump not locked; d.mu is held.
func (d *FileDumper) getDump() (string, error) {
	names := make([]string, 0, len(d.dumps))
	for n := range d.dumps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !d.LockedFiles[n] {
			return n, nil
		}
	}
	return "", ErrNoDumps
}

// ProcessNextDump resends the oldest dump.
func (d *FileDumper) ProcessNextDump(sender Sender) error {
	d.mu.Lock() // heldout:site
	defer d.mu.Unlock()
	f, err := d.getDump()
	if err != nil {
		return err
	}
	params, content := "", d.dumps[f]
	for i := 0; i < len(content); i++ {
		if content[i] == '\n' {
			params, content = content[:i], content[i+1:]
			break
		}
	}
	if _, _, err := sender.SendQuery(&ClickhouseRequest{Params: params, Content: content}); err != nil { // heldout:site
		return err
	}
	delete(d.dumps, f)
	return nil
}

// Listen resends dumps every interval.
func (d *FileDumper) Listen(sender Sender, interval time.Duration) {
	d.LockedFiles = map[string]bool{}
	ticker := time.NewTicker(interval)
	go func() {
		defer ticker.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-ticker.C:
				for d.ProcessNextDump(sender) == nil {
				}
			}
		}
	}()
}

// Stop ends the listener.
func (d *FileDumper) Stop() { close(d.stop) }

// NewProxy wires a Clickhouse to a FileDumper that resends through it.
func NewProxy(servers []*ClickhouseServer) *Clickhouse {
	d := &FileDumper{dumps: map[string]string{}, stop: make(chan struct{})}
	c := &Clickhouse{Servers: servers, Queue: make(chan *ClickhouseRequest, 16), Dumper: d, DownTimeout: time.Minute}
	d.Listen(c, time.Second)
	go c.Run()
	return c
}

// Close stops the sender and the dump listener.
func (c *Clickhouse) Close() {
	close(c.Queue)
	if d, ok := c.Dumper.(*FileDumper); ok {
		d.Stop()
	}
}
