// Package bug is a held-out kernel (issue 14): the dataplane main loop
// waits for a GARP-detection goroutine that is itself blocked sending to
// the main loop.
//
// Upstream: projectcalico/calico#13152 ("felix: fix dataplane deadlock when GARP races with live-migration completion")
// Round: 14
//
// Bug: while a workload is the target of a live migration, felix runs
// detectGARP on its interface; on seeing a GARP/RARP it reports it on
// garpC, which is unbuffered and read only by the dataplane main loop.
// When the migration ends, the main loop (in OnUpdate) calls
// stopGARPDetection, which closes the packet handle and waits on the
// detection's WaitGroup for detectGARP to exit. If the GARP was seen just
// before that update was processed, detectGARP is already parked on
// "garpC <- ..." and no longer reads packets, so closing the handle does
// not help: the main loop waits for detectGARP and detectGARP waits for the
// main loop, and the dataplane is wedged for good. The packet source, the
// update type and the live-migration roles are our reduction.
//
// Fix: each detection gets a stop channel that stopGARPDetection closes
// before waiting, and detectGARP sends on garpC in a select with it.
package bug

import (
	"context"
	"sync"
)

// Role of a workload in a live migration.
type Role int

const (
	NoRole Role = iota
	Source
	Target
)

// Update is a calc-graph update for one workload.
type Update struct {
	Iface string
	Role  Role
}

// PacketSource is an open capture handle on an interface.
type PacketSource interface {
	ReadPacket() ([]byte, error)
	Close()
}

// Opener opens a capture handle.
type Opener func(iface string) (PacketSource, error)

type garpDetection struct {
	handle PacketSource
	wg     sync.WaitGroup
}

// Dataplane is felix's dataplane driver, reduced to GARP detection.
type Dataplane struct {
	open       Opener
	updates    chan Update
	garpC      chan string
	detections map[string]*garpDetection
	OnGARP     func(iface string)
}

// NewDataplane makes a dataplane driver.
func NewDataplane(open Opener) *Dataplane {
	return &Dataplane{
		open:       open,
		updates:    make(chan Update),
		garpC:      make(chan string),
		detections: make(map[string]*garpDetection),
	}
}

// Send queues an update for the main loop.
func (d *Dataplane) Send(ctx context.Context, u Update) {
	select {
	case d.updates <- u:
	case <-ctx.Done():
	}
}

// Run is the dataplane main loop.
func (d *Dataplane) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			for iface := range d.detections {
				d.stopGARPDetection(iface)
			}
			return
		case u := <-d.updates:
			d.OnUpdate(u)
		case iface := <-d.garpC:
			if d.OnGARP != nil {
				d.OnGARP(iface)
			}
		}
	}
}

// OnUpdate starts or stops GARP detection as the workload's role changes.
func (d *Dataplane) OnUpdate(u Update) {
	_, running := d.detections[u.Iface]
	switch {
	case u.Role == Target && !running:
		d.startGARPDetection(u.Iface)
	case u.Role != Target && running:
		d.stopGARPDetection(u.Iface)
	}
}

func (d *Dataplane) startGARPDetection(iface string) {
	h, err := d.open(iface)
	if err != nil {
		return
	}
	det := &garpDetection{handle: h}
	d.detections[iface] = det
	det.wg.Add(1)
	go d.detectGARP(iface, det)
}

func (d *Dataplane) detectGARP(iface string, det *garpDetection) {
	defer det.wg.Done()
	for {
		pkt, err := det.handle.ReadPacket()
		if err != nil {
			return // handle closed
		}
		if isGARP(pkt) {
			d.garpC <- iface // heldout:site
			return
		}
	}
}

func (d *Dataplane) stopGARPDetection(iface string) {
	det := d.detections[iface]
	delete(d.detections, iface)
	det.handle.Close()
	det.wg.Wait() // heldout:site
}

func isGARP(pkt []byte) bool {
	return len(pkt) >= 22 && pkt[12] == 0x08 && (pkt[13] == 0x06 || pkt[13] == 0x35)
}
