// Package bug is a held-out kernel (issue 14): a ckit Node holds stateMut
// for the whole of Start, including the memberlist Join, and Join does a
// push/pull state sync that calls the node's delegate MergeRemoteState
// synchronously. Since nodes started correcting stale messages about
// themselves, handling a remote state message about this node compares it
// with CurrentState, which takes stateMut.RLock: the goroutine in Start
// already holds stateMut for writing, so a node joining a cluster that
// still gossips an old state for it hangs in Start.
//
// Upstream: grafana/ckit#12 ("node: separate mutexes for peer state and shutdown conditions")
// Round: 16
//
// Bug: Node (stateMut guarding localState, stopped and runCancel), Start,
// CurrentState, changeState, handleStateMessage and the nodeDelegate's
// MergeRemoteState follow node.go around the PR; memberlist is reduced to
// a Memberlist interface whose Join calls the delegate, messages to a
// struct, and the lamport clock to a counter. The stale-self check in
// handleStateMessage is our reduction of the change the PR names.
//
// Fix: the shutdown fields (stopped, runCancel) get their own mutex, which
// Start holds; the node state is locked only where it is read or changed,
// so Join runs without stateMut held.
package bug

import (
	"context"
	"errors"
	"sync"
)

// State is a node's lifecycle state.
type State int

// Node states.
const (
	StateViewer State = iota
	StateParticipant
	StateTerminating
)

// StateMessage is a gossiped state of one node.
type StateMessage struct {
	NodeName string
	NewState State
	Time     uint64
}

// Delegate is called by memberlist.
type Delegate interface {
	MergeRemoteState(msgs []StateMessage, join bool)
}

// Memberlist is the gossip layer.
type Memberlist interface {
	Join(peers []string) (int, error)
	Shutdown() error
}

// ErrStopped is returned by Start after Stop.
var ErrStopped = errors.New("node stopped")

// Node is a participant in a cluster.
type Node struct {
	name string
	ml   Memberlist

	clock uint64

	stateMut   sync.RWMutex
	runCancel  context.CancelFunc
	localState State
	stopped    bool

	peerMut    sync.RWMutex
	peerStates map[string]StateMessage
	broadcasts []StateMessage
}

// Start joins the cluster through peers.
func (n *Node) Start(peers []string) error {
	n.stateMut.Lock()
	defer n.stateMut.Unlock()

	if n.stopped {
		return ErrStopped
	}
	if _, err := n.ml.Join(peers); err != nil { // heldout:site
		return err
	}
	n.changeState(StateViewer)

	if n.runCancel == nil {
		_, cancel := context.WithCancel(context.Background())
		n.runCancel = cancel
	}
	return nil
}

// Stop leaves the cluster.
func (n *Node) Stop() error {
	n.stateMut.Lock()
	defer n.stateMut.Unlock()
	if n.runCancel != nil {
		n.runCancel()
		n.runCancel = nil
	}
	if n.stopped {
		return nil
	}
	n.stopped = true
	return n.ml.Shutdown()
}

// CurrentState returns the node's own state.
func (n *Node) CurrentState() State {
	n.stateMut.RLock() // heldout:site
	defer n.stateMut.RUnlock()
	return n.localState
}

func (n *Node) changeState(to State) {
	n.localState = to
	n.clock++
	n.handleStateMessage(StateMessage{NodeName: n.name, NewState: to, Time: n.clock})
}

// handleStateMessage records msg; a stale message about this node is
// answered by gossiping the node's current state again.
func (n *Node) handleStateMessage(msg StateMessage) bool {
	if msg.Time > n.clock {
		n.clock = msg.Time
	}
	if msg.NodeName == n.name && msg.NewState != n.CurrentState() { // heldout:site
		n.clock++
		msg = StateMessage{NodeName: n.name, NewState: n.CurrentState(), Time: n.clock}
	}

	n.peerMut.Lock()
	defer n.peerMut.Unlock()
	if curr, ok := n.peerStates[msg.NodeName]; ok && msg.Time <= curr.Time {
		return false
	}
	n.peerStates[msg.NodeName] = msg
	n.broadcasts = append(n.broadcasts, msg)
	return true
}

type nodeDelegate struct{ *Node }

// MergeRemoteState applies the states a peer sent in a push/pull.
func (nd nodeDelegate) MergeRemoteState(msgs []StateMessage, join bool) {
	for _, msg := range msgs {
		nd.handleStateMessage(msg)
	}
}

// fakeMemberlist pushes and pulls state with one peer that still gossips
// an old state for the joining node.
type fakeMemberlist struct {
	delegate Delegate
	remote   []StateMessage
}

func (m *fakeMemberlist) Join(peers []string) (int, error) {
	m.delegate.MergeRemoteState(m.remote, true)
	return len(peers), nil
}

func (m *fakeMemberlist) Shutdown() error { return nil }

// Rejoin restarts a node the cluster still remembers as a participant.
func Rejoin() error {
	n := &Node{name: "agent-1", peerStates: map[string]StateMessage{}}
	ml := &fakeMemberlist{
		delegate: nodeDelegate{n},
		remote: []StateMessage{
			{NodeName: "agent-1", NewState: StateParticipant, Time: 7},
			{NodeName: "agent-2", NewState: StateParticipant, Time: 5},
		},
	}
	n.ml = ml
	if err := n.Start([]string{"agent-2:7946"}); err != nil {
		return err
	}
	return n.Stop()
}
