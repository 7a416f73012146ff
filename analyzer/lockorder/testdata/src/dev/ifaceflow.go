package dev

import "sync"

// Upstream: nikepan/clickhouse-bulk#90
//
// A balancer dumps failed queries through its Dumper while holding its own
// lock; the file dumper's resend loop holds the dumper's lock and sends
// through its Sender, which is the balancer and locks it to pick a server.
// Both interfaces have two implementations in the package (the balancer
// is also a Dumper, a plain server also a Sender), but the package wires
// one type into each: the field is only ever set to the file dumper, and
// the sender handed to the loop is only ever the balancer. Fix: dump
// without holding the balancer's lock.
type qSender interface{ Send(q string) error }

type qDumper interface{ Dump(q string) }

type qServer struct{ url string }

func (s *qServer) Send(q string) error { return nil }

type balancer struct {
	mu      sync.Mutex
	servers []*qServer
	next    int
	dumper  qDumper
}

func (b *balancer) pick() *qServer {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	return b.servers[b.next%len(b.servers)]
}

func (b *balancer) Send(q string) error { return b.pick().Send(q) }

func (b *balancer) Dump(q string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dumper.Dump(q) // want `lock order inversion by lock class: Dump locks b.mu .* then b.dumper.mu inside b.dumper.Dump`
}

// DumpFixed dumps without the balancer's lock.
func (b *balancer) DumpFixed(q string) {
	b.mu.Lock()
	d := b.dumper
	b.mu.Unlock()
	d.Dump(q)
}

type fileDumper struct {
	mu    sync.Mutex
	dumps []string
}

func (d *fileDumper) Dump(q string) {
	d.mu.Lock()
	d.dumps = append(d.dumps, q)
	d.mu.Unlock()
}

func (d *fileDumper) resendOne(s qSender) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.dumps) > 0 && s.Send(d.dumps[0]) == nil {
		d.dumps = d.dumps[1:]
	}
}

func (d *fileDumper) listen(s qSender, stop chan struct{}) {
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				d.resendOne(s)
			}
		}
	}()
}

func newBalancer(servers []*qServer, stop chan struct{}) *balancer {
	d := &fileDumper{}
	b := &balancer{servers: servers, dumper: d}
	d.listen(b, stop)
	return b
}

// The look-alike: the package hands the resend loop a plain server as
// well as the balancer, so which Send runs is not known, and the loop's
// Send is not taken to lock the balancer.
type memDumper struct {
	mu    sync.Mutex
	dumps []string
}

func (d *memDumper) Dump(q string) {
	d.mu.Lock()
	d.dumps = append(d.dumps, q)
	d.mu.Unlock()
}

func (d *memDumper) resend(s qSender) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, q := range d.dumps {
		_ = s.Send(q)
	}
}

type memBalancer struct {
	mu     sync.Mutex
	dumper *memDumper
}

func (b *memBalancer) Send(q string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return nil
}

func (b *memBalancer) Dump(q string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dumper.Dump(q)
}

func wireMem(b *memBalancer, direct *qServer) {
	b.dumper.resend(b)
	b.dumper.resend(direct)
}
