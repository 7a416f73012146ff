// Package bug is a held-out kernel (issue 14): two goroutines block every
// node of a flow graph, taking the nodes' locks in map iteration order,
// which differs from call to call.
//
// Upstream: milvus-io/milvus#29246 ("fix: Use determined order to lock in BlockAll to avoid deadlock", issue milvus-io/milvus#29104)
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: Blockall locks each node's blockMutex while ranging over the
// nodeCtx map. Go randomizes map order, so two concurrent Blockall calls
// (the sync manager's and the channel-checkpoint updater's) can take two
// nodes' locks in opposite orders, each holding one and waiting for the
// other; the data node's delete/sync pipeline then stalls.
//
// Fix: Blockall and Unblockall walk the nodes in a fixed order (the order
// the nodes were added).
package bug

import "sync"

// Msg is a flow-graph message.
type Msg struct {
	Timestamp uint64
}

// Node is one stage of the flow graph.
type Node interface {
	Name() string
	Operate(in []Msg) []Msg
}

type nodeCtx struct {
	node       Node
	blockMutex sync.RWMutex
	inputCh    chan []Msg
	downstream *nodeCtx
}

// Block stops the node from processing messages.
func (nc *nodeCtx) Block() {
	nc.blockMutex.Lock() // heldout:site
}

// Unblock lets the node process messages again.
func (nc *nodeCtx) Unblock() {
	nc.blockMutex.Unlock()
}

func (nc *nodeCtx) work() {
	for in := range nc.inputCh {
		nc.blockMutex.RLock()
		out := nc.node.Operate(in)
		nc.blockMutex.RUnlock()
		if nc.downstream != nil {
			nc.downstream.inputCh <- out
		}
	}
	if nc.downstream != nil {
		close(nc.downstream.inputCh)
	}
}

// TimeTickedFlowGraph is a pipeline of nodes.
type TimeTickedFlowGraph struct {
	nodeCtx     map[string]*nodeCtx
	first, last *nodeCtx
}

// AddNode adds a node to the graph.
func (fg *TimeTickedFlowGraph) AddNode(node Node) {
	nc := &nodeCtx{node: node, inputCh: make(chan []Msg, 16)}
	if fg.last != nil {
		fg.last.downstream = nc
	} else {
		fg.first = nc
	}
	fg.last = nc
	fg.nodeCtx[node.Name()] = nc
}

// Start runs every node.
func (fg *TimeTickedFlowGraph) Start() {
	for _, nc := range fg.nodeCtx {
		go nc.work()
	}
}

// Produce feeds messages to the first node.
func (fg *TimeTickedFlowGraph) Produce(msgs []Msg) {
	fg.first.inputCh <- msgs
}

// Close ends the input; the nodes stop in turn.
func (fg *TimeTickedFlowGraph) Close() {
	close(fg.first.inputCh)
}

// Blockall blocks every node.
func (fg *TimeTickedFlowGraph) Blockall() {
	for _, v := range fg.nodeCtx {
		v.Block() // heldout:site
	}
}

// Unblockall unblocks every node.
func (fg *TimeTickedFlowGraph) Unblockall() {
	for _, v := range fg.nodeCtx {
		v.Unblock()
	}
}

// syncSegments is the sync manager's task: the graph must not move while
// the segments are flushed.
func syncSegments(fg *TimeTickedFlowGraph, flush func()) {
	fg.Blockall()
	defer fg.Unblockall()
	flush()
}

// updateChannelCheckpoint is the checkpoint updater's task.
func updateChannelCheckpoint(fg *TimeTickedFlowGraph, update func()) {
	fg.Blockall()
	defer fg.Unblockall()
	update()
}
