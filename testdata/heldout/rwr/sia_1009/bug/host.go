// Package bug is a held-out kernel (issue 14): the host's settings RPC
// takes the host's read lock and then calls the exported Settings, which
// takes the read lock again; a settings update asking for the write lock
// between the two makes the second RLock wait behind the writer, which
// waits for the first.
//
// Upstream: NebulousLabs/Sia#1009 ("managedRPCSettings() can deadlock")
// Round: 8
//
// Bug: the issue: "managedRPCSettings() takes a read lock on h.mu, and
// then calls h.Settings() which in turn also takes a read lock. The
// deadlock happens if a second goroutine attempts to take a write lock
// during in the interval between the two read locks". The RPC writes the
// settings (with the host's net address and unlock hash) to the renter's
// connection; SetInternalSettings is the writer. Encoding and the
// connection are reduced to an io.Writer and fmt.
//
// Fix (Sia#1011): managedRPCSettings takes no lock of its own; the
// exported Settings call locks, following Sia's convention that exported
// methods take the lock themselves.
package bug

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
	h.mu.RLock() // heldout:site
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
	h.mu.Lock() // heldout:site
	defer h.mu.Unlock()
	h.settings = s
	h.revision++
	return nil
}

// managedRPCSettings sends the host's settings to a renter.
func (h *Host) managedRPCSettings(conn io.Writer) error {
	h.mu.RLock() // heldout:site
	defer h.mu.RUnlock()
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
