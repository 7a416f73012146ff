package deadlockleak

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// streamExit reports the abandoned stream: one goroutine sends a stream
// of values on an unbuffered channel, from a single send in a loop that
// goes round to its next send whatever it sent, and the function that
// started it (or that called the helper starting it, or one goroutine the
// starter starts) receives in a loop
// (a range over the channel, or plain receives) that it can leave after a
// receive, on a test of the value received (an error, a match), and
// return without receiving again. The producer's next send then has no
// receiver and blocks forever (jwilder/dockerize#324, tendermint's pubsub
// subscribers that return from their range loop, #1811).
func streamExit(pass *analysis.Pass, mc *ssa.MakeChan, size int, recv *role, root *chanuse.Node, senders []*role, after ssa.Instruction, w *walker) bool {
	if size != 0 || len(senders) != 1 {
		return false
	}
	if recv.g != root && (recv.g.Start == nil || recv.g.Parent != root || after != nil) {
		return false // the receiver: the starter, or one goroutine it starts
	}
	s := senders[0]
	if len(s.sends) != 1 || len(s.selSends) > 0 || s.g.Start == nil || ssaloop.InLoop(s.g.Start.Block()) {
		return false
	}
	if after == nil && (s.g.Parent != root || s.g.Start.Parent() != root.Fn) {
		return false
	}
	send := s.sends[0].Instr
	if !ssaloop.InLoop(send.Block()) || !loopsOn(send) {
		return false
	}
	var ret *ssa.Return
	var from ssa.Instruction
	for _, op := range recv.recvs {
		if op.Kind != chanuse.Recv || op.Node != recv.g || !ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
		if r := w.leaveLoop(op.Instr); r != nil && ret == nil {
			ret, from = r, op.Instr
		}
	}
	if ret == nil {
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	rfn := recv.g.Fn
	rp := returnPos(ret, rfn)
	started := "the sender is started here"
	if after != nil {
		started = "the helper that starts the sender is called here"
	}
	startPos := s.g.Start.Pos()
	if after != nil {
		startPos = after.Pos()
	}
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in %s (line %d), can stop after a value and return (line %d): the goroutine's next send then blocks forever and it leaks (let the sender select on a done channel or context the receiver closes or cancels on its way out)",
			rfn.Name(), line(from.Pos()), line(rp)),
		Related: []analysis.RelatedInformation{
			{Pos: from.Pos(), Message: "the receive, in a loop"},
			{Pos: rp, Message: rfn.Name() + " returns here from inside the loop, without receiving again"},
			{Pos: startPos, Message: started},
			{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
		},
	})
	return true
}

// loopsOn reports whether, after send, the sender goes straight back to
// the head of the loop around it (plain jumps, no test in between): every
// value it sends is followed by another round, so the send is not its
// last one by design (an error sent just before returning).
func loopsOn(send ssa.Instruction) bool {
	b := send.Block()
	for _, instr := range b.Instrs[indexOf(send)+1:] {
		switch in := instr.(type) {
		case *ssa.Return, *ssa.Panic:
			return false
		case *ssa.Call:
			if chanuse.NoReturn(in.Common()) {
				return false
			}
		}
	}
	for range 8 {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Jump); !ok {
			return false
		}
		next := b.Succs[0]
		if next.Dominates(send.Block()) {
			return true
		}
		b = next
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.Return); ok {
				return false
			}
		}
	}
	return false
}

// streamTake reports the stream taken a fixed number of times: one
// goroutine sends a stream of values, from a plain send in a loop that no
// count bounds (constBounded) and that goes round to its next send
// whatever it sent (loopsOn), and the function that started it, or that
// called the helper starting it, receives only with plain receives
// outside loops and then returns. Past the values it took and the buffer,
// the producer's next send blocks forever, and no cancel reaches a plain
// send (dbos-inc/dbos-transact-golang#318: a typed forwarder over a
// stream, whose caller reads the first value and cancels).
func streamTake(pass *analysis.Pass, mc *ssa.MakeChan, size int, recv *role, root *chanuse.Node, senders []*role, after ssa.Instruction) bool {
	if len(senders) != 1 || recv.g != root || len(recv.recvs) == 0 {
		return false
	}
	s := senders[0]
	if len(s.selSends) > 0 || s.g.Start == nil || ssaloop.InLoop(s.g.Start.Block()) {
		return false
	}
	if after == nil && (s.g.Parent != root || s.g.Start.Parent() != root.Fn) {
		return false
	}
	var send ssa.Instruction
	for _, op := range s.sends {
		if b := op.Instr.Block(); ssaloop.InLoop(b) && loopsOn(op.Instr) && !constBounded(b) {
			send = op.Instr
			break
		}
	}
	if send == nil {
		return false
	}
	for _, op := range recv.recvs {
		if op.Kind != chanuse.Recv || op.Node != recv.g || ssaloop.InLoop(op.Instr.Block()) {
			return false // a select, a helper or a loop: the receiver may keep taking
		}
	}
	from := recv.recvs[len(recv.recvs)-1].Instr
	buffer := "an unbuffered channel"
	if size > 0 {
		buffer = fmt.Sprintf("a channel with room for %d", size)
	}
	startPos := s.g.Start.Pos()
	if after != nil {
		startPos = after.Pos()
	}
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this goroutine sends a stream of values on %s, and its only receiver, %s, takes %d value(s) outside any loop (line %d) and returns: the goroutine's next send then blocks forever and it leaks (let the sender select on a done channel or context the receiver closes or cancels on its way out)",
			buffer, recv.g.Fn.Name(), len(recv.recvs), pass.Fset.Position(from.Pos()).Line),
		Related: []analysis.RelatedInformation{
			{Pos: from.Pos(), Message: "the last receive"},
			{Pos: startPos, Message: "the sender is started here"},
			{Pos: mc.Pos(), Message: "the channel is made here"},
		},
	})
	return true
}
