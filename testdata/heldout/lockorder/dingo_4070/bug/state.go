package bug

import "sync"

type observedHeader struct {
	slot uint64
	hash string
}

// State is the chainsync state shared by all client connections.
type State struct {
	clientConnIdMutex sync.Mutex
	clientConnIds     map[ConnectionId]bool
	observed          map[ConnectionId][]observedHeader

	selector *ChainSelector
}

// IsActiveClient reports whether conn is one of our chainsync clients.
func (s *State) IsActiveClient(conn ConnectionId) bool {
	s.clientConnIdMutex.Lock() // heldout:site
	defer s.clientConnIdMutex.Unlock()
	return s.clientConnIds[conn]
}

// RecordObservedHeader remembers a header a client delivered, trimming
// the history to the Genesis window when Genesis selection is active.
func (s *State) RecordObservedHeader(conn ConnectionId, slot uint64, hash string) {
	s.clientConnIdMutex.Lock()
	defer s.clientConnIdMutex.Unlock()
	if !s.clientConnIds[conn] {
		return
	}
	hist := append(s.observed[conn], observedHeader{slot: slot, hash: hash})
	if active, window := s.selector.GenesisSelectionState(); active { // heldout:site
		for len(hist) > 0 && hist[0].slot+window < slot {
			hist = hist[1:]
		}
	}
	s.observed[conn] = hist
}
