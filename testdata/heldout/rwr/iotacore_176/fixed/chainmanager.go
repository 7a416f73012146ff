// Package fixed is the fixed version of rwr/iotacore_176: detectForks,
// which runs with evictionMutex read-locked by its caller, reads
// m.rootCommitment directly instead of through the locking getter.
package fixed

import (
	"errors"
	"sync"
)

// CommitmentID identifies a slot commitment.
type CommitmentID struct {
	Index uint64
	Hash  string
}

// Commitment is a commitment received from a peer.
type Commitment struct {
	ID               CommitmentID
	PrevID           CommitmentID
	CumulativeWeight uint64
}

// Chain is a sequence of commitments starting at a forking point.
type Chain struct {
	ForkingPoint *ChainCommitment
	latest       *ChainCommitment
}

// LatestCommitment is the chain's newest commitment.
func (c *Chain) LatestCommitment() *ChainCommitment { return c.latest }

func (c *Chain) addCommitment(cc *ChainCommitment) {
	if c.latest == nil || cc.commitment.ID.Index > c.latest.commitment.ID.Index {
		c.latest = cc
	}
}

// ChainCommitment is a commitment placed in the chain tree.
type ChainCommitment struct {
	id         CommitmentID
	commitment *Commitment
	chain      *Chain
	solid      bool
	children   []*ChainCommitment
}

// Chain is the chain the commitment belongs to.
func (cc *ChainCommitment) Chain() *Chain { return cc.chain }

// Fork is a chain heavier than the main chain, announced by a peer.
type Fork struct {
	Source       string
	MainChain    *Chain
	ForkedChain  *Chain
	ForkingPoint *ChainCommitment
}

var errNotSolid = errors.New("commitment not solid")

// Manager keeps the tree of commitments and the root (main chain) one.
type Manager struct {
	evictionMutex sync.RWMutex

	commitmentsByID     map[CommitmentID]*ChainCommitment
	rootCommitment      *ChainCommitment
	forksByForkingPoint map[CommitmentID]*Fork

	onForkDetected func(*Fork)
}

// NewManager returns a manager rooted at root.
func NewManager(root *Commitment, onFork func(*Fork)) *Manager {
	m := &Manager{
		commitmentsByID:     make(map[CommitmentID]*ChainCommitment),
		forksByForkingPoint: make(map[CommitmentID]*Fork),
		onForkDetected:      onFork,
	}
	rc := m.getOrCreateCommitment(root.ID)
	rc.commitment = root
	rc.solid = true
	rc.chain = &Chain{ForkingPoint: rc}
	rc.chain.addCommitment(rc)
	m.rootCommitment = rc
	return m
}

func (m *Manager) getOrCreateCommitment(id CommitmentID) *ChainCommitment {
	cc, ok := m.commitmentsByID[id]
	if !ok {
		cc = &ChainCommitment{id: id}
		m.commitmentsByID[id] = cc
	}
	return cc
}

// ProcessCommitmentFromSource registers a commitment a peer sent and looks
// for a fork.
func (m *Manager) ProcessCommitmentFromSource(c *Commitment, source string) (bool, *Chain) {
	m.evictionMutex.RLock()
	defer m.evictionMutex.RUnlock()

	isSolid, cc := m.processCommitment(c)
	if cc == nil {
		return false, nil
	}

	m.detectForks(cc, source)

	return isSolid, cc.Chain()
}

func (m *Manager) processCommitment(c *Commitment) (bool, *ChainCommitment) {
	if c.ID.Index <= m.rootCommitment.id.Index {
		if c.ID == m.rootCommitment.id {
			return true, m.rootCommitment
		}
		return false, nil
	}
	parent := m.getOrCreateCommitment(c.PrevID)
	cc := m.getOrCreateCommitment(c.ID)
	cc.commitment = c
	parent.children = append(parent.children, cc)
	if parent.chain != nil {
		if len(parent.children) == 1 {
			cc.chain = parent.chain
		} else {
			cc.chain = &Chain{ForkingPoint: cc}
		}
		cc.chain.addCommitment(cc)
		cc.solid = parent.solid
	}
	return cc.solid, cc
}

// RootCommitment returns the root commitment of the manager.
func (m *Manager) RootCommitment() *ChainCommitment {
	m.evictionMutex.RLock()
	defer m.evictionMutex.RUnlock()

	return m.rootCommitment
}

// SetRootCommitment moves the root to a confirmed commitment.
func (m *Manager) SetRootCommitment(c *Commitment) {
	m.evictionMutex.Lock()
	defer m.evictionMutex.Unlock()

	if cc, ok := m.commitmentsByID[c.ID]; ok {
		m.rootCommitment = cc
	}
}

// EvictUntil drops the commitments up to index.
func (m *Manager) EvictUntil(index uint64) {
	m.evictionMutex.Lock()
	defer m.evictionMutex.Unlock()

	for id := range m.commitmentsByID {
		if id.Index < index && id != m.rootCommitment.id {
			delete(m.commitmentsByID, id)
			delete(m.forksByForkingPoint, id)
		}
	}
}

func (m *Manager) detectForks(cc *ChainCommitment, source string) {
	forkingPoint, err := m.forkingPointAgainstMainChain(cc)
	if err != nil || forkingPoint == nil {
		return
	}

	mainChain := m.rootCommitment.Chain()

	forked := forkingPoint.Chain().LatestCommitment().commitment
	main := mainChain.LatestCommitment().commitment
	if forked.CumulativeWeight <= main.CumulativeWeight {
		return
	}
	if _, exists := m.forksByForkingPoint[forkingPoint.id]; exists {
		return
	}
	fork := &Fork{
		Source:       source,
		MainChain:    mainChain,
		ForkedChain:  forkingPoint.Chain(),
		ForkingPoint: forkingPoint,
	}
	m.forksByForkingPoint[forkingPoint.id] = fork
	if m.onForkDetected != nil {
		m.onForkDetected(fork)
	}
}

func (m *Manager) forkingPointAgainstMainChain(cc *ChainCommitment) (*ChainCommitment, error) {
	if !cc.solid || cc.Chain() == nil {
		return nil, errNotSolid
	}
	var forking *ChainCommitment
	for chain := cc.Chain(); chain != m.rootCommitment.Chain(); chain = cc.Chain() {
		forking = chain.ForkingPoint
		parent, ok := m.commitmentsByID[forking.commitment.PrevID]
		if !ok || parent.Chain() == nil {
			return nil, errNotSolid
		}
		cc = parent
	}
	return forking, nil
}

// syncAndConfirm is a peer's commitments being processed while the engine
// confirms a slot.
func syncAndConfirm() {
	root := &Commitment{ID: CommitmentID{Index: 0, Hash: "genesis"}}
	m := NewManager(root, func(*Fork) {})

	a1 := &Commitment{ID: CommitmentID{1, "a1"}, PrevID: root.ID, CumulativeWeight: 1}
	m.ProcessCommitmentFromSource(a1, "self")

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		b1 := &Commitment{ID: CommitmentID{1, "b1"}, PrevID: root.ID, CumulativeWeight: 5}
		m.ProcessCommitmentFromSource(b1, "peer")
	}()
	go func() {
		defer wg.Done()
		m.SetRootCommitment(a1)
	}()
	wg.Wait()
}
