package deadlockleak

import (
	"go/ast"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// sendCount returns how many values s sends when it sends at all, per
// run: 1 when it sends once (sendsOnce); otherwise the longest run of
// plain sends of its own function each of which follows the first on
// every path (if err != nil { ch <- err } without a return, then
// ch <- v: the error path sends twice). first is the send that starts the
// run. ok is false when a send can come round to itself (a loop), when s
// offers values in a select or sends in a helper (beyond a single send),
// and when no send surely sends again.
func sendCount(s *role) (n int, first ssa.Instruction, ok bool) {
	if sendsOnce(s) {
		return 1, s.sends[0].Instr, true
	}
	if len(s.sends) < 2 || len(s.selSends) > 0 {
		return 0, nil, false
	}
	sends := map[ssa.Instruction]bool{}
	for _, op := range s.sends {
		if op.Node != s.g || ssaloop.InLoop(op.Instr.Block()) {
			return 0, nil, false
		}
		sends[op.Instr] = true
	}
	for _, op := range s.sends {
		k := 1
		for other := range sends {
			if other != op.Instr && mustReach(op.Instr, other) {
				k++
			}
		}
		if k > n {
			n, first = k, op.Instr
		}
	}
	if n < 2 {
		return 0, nil, false
	}
	return n, first, true
}

// mustReach reports whether every path from from to the end of its
// function passes to: no return, panic or call that never returns comes
// first, and to is reachable at all.
func mustReach(from, to ssa.Instruction) bool {
	reached, escaped := false, false
	ssawalk.Forward(from, func(in ssa.Instruction) ssawalk.Action {
		if in == to {
			reached = true
			return ssawalk.Cut
		}
		switch in := in.(type) {
		case *ssa.Return, *ssa.Panic:
			escaped = true
			return ssawalk.Stop
		case *ssa.Call:
			if chanuse.NoReturn(&in.Call) {
				escaped = true
				return ssawalk.Stop
			}
		}
		return ssawalk.Continue
	})
	return reached && !escaped
}

// callbackLeaks checks a channel whose function literals are handed to
// functions that are not followed, or kept in a variable and started in
// several places (chanuse.FollowCallbacks), as decide does; and a callback
// that sends more values per call than its maker receives (a missing
// return after an error's send), or a goroutine's plain send whose
// receiver can leave while callbacks only offer values in selects.
func callbackLeaks(pass *analysis.Pass, mc *ssa.MakeChan, size int, makes map[token.Pos]*ast.CallExpr, funcs []*ssa.Function) {
	ch := chanuse.FollowCallbacks(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	rs := roles(ch.Nodes)
	for _, r := range rs {
		if !r.g.Callback || len(r.sends)+len(r.recvs)+len(r.closes) == 0 {
			continue
		}
		// A callback sends plainly: it runs when and as often as its
		// caller likes, so only the count of one call is sure.
		if len(r.recvs) > 0 || len(r.closes) > 0 {
			return
		}
		var recv *role
		var senders []*role
		for _, r := range rs {
			switch {
			case len(r.closes) > 0 || len(r.selSends) > 0 && len(r.sends) > 0:
				return
			case len(r.recvs) > 0:
				if recv != nil || len(r.sends) > 0 || r.g != ch.Nodes[0] {
					return
				}
				recv = r
			case len(r.sends) > 0:
				senders = append(senders, r)
			}
		}
		if recv != nil {
			countCheck(pass, mc, size, recv, senders)
		}
		return
	}
	// The callbacks only offer values in selects (or do nothing with the
	// channel): they cannot take a goroutine's plain send.
	decide(pass, mc, size, ch.Field, ch.Nodes, rs, ch.Nodes[0], nil, makes, funcs)
}
