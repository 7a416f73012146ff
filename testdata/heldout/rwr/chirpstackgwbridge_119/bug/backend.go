// Package bug is a held-out kernel (issue 14): a recursive read lock in
// the ChirpStack (then LoRa) Gateway Bridge's Semtech UDP backend.
// handlePacket read-locks the backend for the whole packet; for a
// PUSH_DATA carrying gateway stats it calls handlePushData, which calls
// handleStats, which read-locks the backend again to look up the
// gateway's configuration version. ApplyConfiguration takes the write
// lock to record a new version; queued between the two RLocks it waits
// for the packet goroutine, and the packet goroutine waits behind it.
//
// Upstream: chirpstack/chirpstack-gateway-bridge#119 ("#118 fix read lock netst")
// Round: 15
//
// Bug: the PR: "function handlePushData is called by handlePacket which
// will get the read lock, fucntion handleStats is called by
// handlePushData and will get the read lock too here, if somewhere get
// the write lock betwen 1 and 2, will cause deadlock"; the reporter saw
// the bridge "block on handlePackage where try to get the read lock".
// Backend, handlePacket, handlePushData, handleStats, ApplyConfiguration
// and applyConfiguration follow internal/backend/semtechudp/backend.go;
// the UDP socket, packet parsing and the stats channel are our reduction
// (parsed packets in, a stats callback out).
//
// Fix: handleStats no longer takes the read lock; handlePacket's lock
// covers the configuration lookup.
package bug

import (
	"errors"
	"sync"
)

// EUI64 is a gateway ID.
type EUI64 [8]byte

// GatewayStats are the stats a gateway reports in PUSH_DATA.
type GatewayStats struct {
	GatewayID     EUI64
	ConfigVersion string
}

// GatewayConfiguration is a configuration pushed to a gateway.
type GatewayConfiguration struct {
	GatewayID EUI64
	Version   string
}

type pfConfiguration struct {
	gatewayID      EUI64
	currentVersion string
}

type packetType int

const (
	pushData packetType = iota
	pullData
)

type udpPacket struct {
	typ   packetType
	gwID  EUI64
	stats *GatewayStats
}

// Backend implements the Semtech packet-forwarder UDP backend.
type Backend struct {
	sync.RWMutex

	closed         bool
	configurations []pfConfiguration
	onStats        func(GatewayStats)
}

func (b *Backend) handlePacket(up udpPacket) error {
	b.RLock()
	defer b.RUnlock()

	if b.closed {
		return nil
	}

	switch up.typ {
	case pushData:
		return b.handlePushData(up)
	case pullData:
		return nil
	default:
		return errors.New("unknown packet type")
	}
}

func (b *Backend) handlePushData(up udpPacket) error {
	if up.stats != nil {
		b.handleStats(up.gwID, *up.stats) // heldout:site
	}
	return nil
}

func (b *Backend) handleStats(gatewayID EUI64, stats GatewayStats) {
	b.RLock() // heldout:site
	defer b.RUnlock()

	// set configuration version, if available
	for _, c := range b.configurations {
		if gatewayID == c.gatewayID {
			stats.ConfigVersion = c.currentVersion
		}
	}

	b.onStats(stats)
}

// ApplyConfiguration applies the given configuration to the gateway.
func (b *Backend) ApplyConfiguration(config GatewayConfiguration) error {
	b.Lock()
	var pfConfig *pfConfiguration
	for i := range b.configurations {
		if b.configurations[i].gatewayID == config.GatewayID {
			pfConfig = &b.configurations[i]
		}
	}
	b.Unlock()

	if pfConfig == nil {
		return nil
	}
	return b.applyConfiguration(*pfConfig, config)
}

func (b *Backend) applyConfiguration(pfConfig pfConfiguration, config GatewayConfiguration) error {
	// (writing the packet-forwarder config and restarting it left out)
	b.Lock() // heldout:site
	defer b.Unlock()

	for i := range b.configurations {
		if b.configurations[i].gatewayID == pfConfig.gatewayID {
			b.configurations[i].currentVersion = config.Version
		}
	}
	return nil
}

// Close closes the backend.
func (b *Backend) Close() error {
	b.Lock()
	b.closed = true
	b.Unlock()
	return nil
}

// Run handles stats packets while a new configuration is applied.
func Run() {
	gwID := EUI64{1}
	var mu sync.Mutex
	var seen []GatewayStats
	b := &Backend{
		configurations: []pfConfiguration{{gatewayID: gwID}},
		onStats: func(s GatewayStats) {
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
		},
	}

	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.handlePacket(udpPacket{typ: pushData, gwID: gwID, stats: &GatewayStats{GatewayID: gwID}})
		}()
	}
	b.ApplyConfiguration(GatewayConfiguration{GatewayID: gwID, Version: "v2"})
	wg.Wait()
	b.Close()
}
