// Package fixed is the fixed version of lockorder/clickhousebulk_90:
// Clickhouse.Dump calls the Dumper without holding Clickhouse.mu.
package fixed

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
	c.mu.Lock()
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
	srv := c.GetNextServer()
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
		return c.Dumper.Dump(params, content, response, prefix, status)
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
	d.mu.Lock()
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
	d.mu.Lock()
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
	if _, _, err := sender.SendQuery(&ClickhouseRequest{Params: params, Content: content}); err != nil {
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
