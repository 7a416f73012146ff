// Package fixed is the fixed version of rwr/sia_1009: the settings RPC
// takes no read lock of its own around the exported Settings call.
package fixed

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// InternalSettings are the host's own settings.
type InternalSettings struct {
	AcceptingContracts bool
	MaxDuration        uint64
	MinContractPrice   uint64
}

// ExternalSettings are what a renter is told.
type ExternalSettings struct {
	AcceptingContracts bool
	MaxDuration        uint64
	ContractPrice      uint64
	NetAddress         string
}

// Host is a storage host.
type Host struct {
	mu sync.RWMutex

	settings   InternalSettings
	netAddress string
	revision   uint64
}

// Settings returns the host's external settings.
func (h *Host) Settings() ExternalSettings {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return ExternalSettings{
		AcceptingContracts: h.settings.AcceptingContracts,
		MaxDuration:        h.settings.MaxDuration,
		ContractPrice:      h.settings.MinContractPrice,
		NetAddress:         h.netAddress,
	}
}

// SetInternalSettings updates the host's settings.
func (h *Host) SetInternalSettings(s InternalSettings) error {
	if s.MaxDuration == 0 {
		return errors.New("max duration must be positive")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settings = s
	h.revision++
	return nil
}

// managedRPCSettings sends the host's settings to a renter.
func (h *Host) managedRPCSettings(conn io.Writer) error {
	settings := h.Settings()
	_, err := fmt.Fprintf(conn, "%+v\n", settings)
	return err
}

// HandleConn serves one RPC.
func (h *Host) HandleConn(id string, conn io.Writer) error {
	switch id {
	case "Settings":
		return h.managedRPCSettings(conn)
	default:
		return errors.New("unknown RPC " + id)
	}
}
