// Package fixed is the fixed version of lockorder/milvus_29246: the nodes are
// blocked in the order they were added.
package fixed

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
	nc.blockMutex.Lock()
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
	nodeCtx      map[string]*nodeCtx
	nodeSequence []string
	first, last  *nodeCtx
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
	fg.nodeSequence = append(fg.nodeSequence, node.Name())
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
	for _, name := range fg.nodeSequence {
		fg.nodeCtx[name].Block()
	}
}

// Unblockall unblocks every node.
func (fg *TimeTickedFlowGraph) Unblockall() {
	for i := len(fg.nodeSequence) - 1; i >= 0; i-- {
		fg.nodeCtx[fg.nodeSequence[i]].Unblock()
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
