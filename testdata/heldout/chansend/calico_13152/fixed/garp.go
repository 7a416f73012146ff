// Package fixed is the fixed version of chansend/calico_13152: the
// detection's stop channel is closed before the main loop waits, and the
// GARP report is a select on it.
package fixed

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
	stop   chan struct{}
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
	det := &garpDetection{handle: h, stop: make(chan struct{})}
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
			select {
			case d.garpC <- iface:
			case <-det.stop:
			}
			return
		}
	}
}

func (d *Dataplane) stopGARPDetection(iface string) {
	det := d.detections[iface]
	delete(d.detections, iface)
	close(det.stop)
	det.handle.Close()
	det.wg.Wait()
}

func isGARP(pkt []byte) bool {
	return len(pkt) >= 22 && pkt[12] == 0x08 && (pkt[13] == 0x06 || pkt[13] == 0x35)
}
