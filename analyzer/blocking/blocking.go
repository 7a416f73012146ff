// Package blocking defines an Analyzer that reports calls and channel
// operations that block the thread inside async code, where they stall
// every task of the event loop.
//
// # Analyzer blocking
//
// blocking: report blocking operations in async contexts
//
// An async context is a function with a *aio.Task or *coro.Co parameter
// (the bodies given to aio.Async and coro.New) or a loop callback passed to
// CallSoon/CallLater/CallAt. Only one task of a loop runs at a time, so an
// operation that blocks the thread there blocks all of them, as a blocking
// call inside an asyncio coroutine does. Reported, directly or through a
// chain of static calls in any package (facts carry "this function may
// block" across packages):
//
//   - time.Sleep, and receives from time.After, time.Tick and a Timer's or
//     Ticker's channel;
//   - net.Dial and friends, DNS lookups, Accept, reads and writes on net
//     connections; net/http client calls and servers;
//   - os file opening, reading and writing (not os.Stdout/os.Stderr writes);
//   - os/exec Run, Output, CombinedOutput, Wait;
//   - sync.WaitGroup.Wait, sync.Cond.Wait; sync.Mutex and RWMutex Lock and
//     RLock when called directly in async code (a brief critical section in
//     a callee is not followed), unless the lock is held across a
//     suspension (see below);
//   - runtime/futures Future.Result, ResultTimeout, Exception and
//     futures.Wait;
//   - sends and receives on channels proven unbuffered (made in the same
//     function by make(chan T) with no capacity and never reassigned) or on
//     context.Context.Done and timer channels; ranging over such channels;
//     selects with no default whose every case is such an operation, and
//     select {}.
//
// Not reported: code in a goroutine started from async code, work passed to
// aio.ToThread or RunInExecutor (function literals not called on the spot
// are not part of the body), channel operations whose buffering cannot be
// proven, selects with a default case, calls through interfaces or function
// values, and calls of async functions (they are checked where defined).
// Running an event loop inside a task is reported by the deadlock analyzer.
//
// A mutex lock belongs to one pass. When the lock a Lock or RLock takes is
// still held, on some path, at a suspension of the same body (aio.Await,
// aio.Sleep, co.Yield, a call that suspends, ...), the holdlock analyzer
// reports it at the suspension, naming the Lock, and this pass does not:
// the lock deadlocks the loop as soon as another task takes it, which is
// holdlock's finding. A Lock released before any suspension is this pass's
// finding: it blocks the loop while another goroutine (a worker thread, an
// aio.ToThread function) holds the mutex. This pass requires holdlock for
// the split; go vet -blocking alone runs holdlock without printing its
// findings.
//
// Suggested fixes: time.Sleep(d) as a statement becomes
// `if err := aio.Sleep(t, d); err != nil { return ..., err }` when the
// function has a *aio.Task t and an error result; other blocking calls whose
// results are (T, error) are wrapped in aio.ToThread(t, func() (T, error) {
// return call }), and blocking statements in
// `if _, err := aio.ToThread(...); err != nil { return ..., err }`.
package blocking

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/asyncgo/asyncgo/analyzer/holdlock"
	"github.com/asyncgo/asyncgo/analyzer/internal/asyncctx"
	"github.com/asyncgo/asyncgo/analyzer/internal/fixgen"
)

// Doc is the analyzer's documentation.
const Doc = `report blocking operations in async contexts

In a function with a *aio.Task or *coro.Co parameter (an Async or New body)
or a loop callback, report operations that block the thread, and so every
task of the event loop: time.Sleep, network and file I/O, os/exec waits,
mutex/WaitGroup/Cond waits, executor Future.Result, and channel operations
or selects that cannot complete at once — directly or through a chain of
callees in any package. A mutex held across a suspension is left to the
holdlock analyzer, which reports it at the suspension.`

// Analyzer reports blocking operations in async contexts.
var Analyzer = &analysis.Analyzer{
	Name:      "blocking",
	Doc:       Doc,
	URL:       "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/blocking",
	Run:       run,
	Requires:  []*analysis.Analyzer{holdlock.Analyzer},
	FactTypes: []analysis.Fact{(*Blocks)(nil)},
}

// Step is one function of a call chain.
type Step struct {
	PkgPath, PkgName string
	Name             string // "F", or "(*T).M" / "(T).M" for methods
}

func (s Step) qualified(from *types.Package) string {
	if from != nil && s.PkgPath == from.Path() {
		return s.Name
	}
	if strings.HasPrefix(s.Name, "(") {
		star := strings.HasPrefix(s.Name, "(*")
		rest := strings.TrimLeft(s.Name, "(*")
		if star {
			return "(*" + s.PkgName + "." + rest
		}
		return "(" + s.PkgName + "." + rest
	}
	return s.PkgName + "." + s.Name
}

// Blocks is the fact that a function may block the thread: What blocks,
// reached through Chain (the callees after the function itself, ending with
// the function whose body holds What; empty when it does directly).
type Blocks struct {
	What  string
	Chain []Step
}

// AFact marks Blocks as a fact.
func (*Blocks) AFact() {}

func (b *Blocks) String() string {
	if len(b.Chain) == 0 {
		return "blocks: " + b.What
	}
	names := make([]string, len(b.Chain))
	for i, s := range b.Chain {
		names[i] = s.qualified(nil)
	}
	return "blocks: " + b.What + " via " + strings.Join(names, " → ")
}

type kind int

const (
	kindCall  kind = iota // a blocking call that can run on a thread instead
	kindSleep             // time.Sleep: aio.Sleep replaces it
	kindLock              // a mutex lock: reported only directly
	kindChan              // a channel operation or select
	kindWait              // a wait that must stay where it is (Cond.Wait)
)

// site is one blocking operation in a function body.
type site struct {
	node  ast.Node
	call  *ast.CallExpr // the call, for calls
	what  string
	kind  kind
	chain []Step // through a callee: the callee first
}

type checker struct {
	pass   *analysis.Pass
	held   *holdlock.Result // the locks holdlock reports: not ours
	decls  map[*types.Func]*asyncctx.Func
	facts  map[*types.Func]*Blocks // computed for this package
	stmtOK map[ast.Stmt]bool       // statements in a statement list
	unbuf  map[*types.Var]bool     // unbufferedVars, when first needed
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:   pass,
		held:   pass.ResultOf[holdlock.Analyzer].(*holdlock.Result),
		decls:  make(map[*types.Func]*asyncctx.Func),
		facts:  make(map[*types.Func]*Blocks),
		stmtOK: fixgen.StmtLists(pass.Files),
	}
	fns, async := asyncctx.Funcs(pass.TypesInfo, pass.Files)
	for i := range fns {
		if fns[i].Obj != nil {
			c.decls[fns[i].Obj] = &fns[i]
		}
	}
	c.computeFacts(fns, async)
	for i, fn := range fns {
		if async[i] {
			c.check(fn)
		}
	}
	return nil, nil
}

// computeFacts finds, to a fixed point, the package's functions that may
// block, and exports a fact for each.
func (c *checker) computeFacts(fns []asyncctx.Func, async []bool) {
	sites := make(map[*types.Func][]site)
	var order []*types.Func
	for i, fn := range fns {
		if fn.Obj == nil || async[i] {
			continue
		}
		order = append(order, fn.Obj)
		sites[fn.Obj] = c.sites(fn.Body, false)
	}
	for changed := true; changed; {
		changed = false
		for _, fn := range order {
			if c.facts[fn] != nil {
				continue
			}
			for _, s := range sites[fn] {
				if s.kind == kindLock {
					continue
				}
				if s.what == "" {
					// A callee of this package not known to block (yet).
					callee := asyncctx.Callee(c.pass.TypesInfo, s.call)
					f := c.facts[callee]
					if f == nil {
						continue
					}
					s = c.viaCallee(s.call, callee, f)
				}
				c.facts[fn] = &Blocks{What: s.what, Chain: s.chain}
				changed = true
				break
			}
		}
	}
	for _, fn := range order {
		if f := c.facts[fn]; f != nil {
			c.pass.ExportObjectFact(fn, f)
		}
	}
}

func step(fn *types.Func) Step {
	name := fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		t := sig.Recv().Type()
		star := ""
		if p, ok := types.Unalias(t).(*types.Pointer); ok {
			star, t = "*", p.Elem()
		}
		tn := "?"
		if n, ok := types.Unalias(t).(*types.Named); ok {
			tn = n.Obj().Name()
		} else if _, ok := t.Underlying().(*types.Interface); ok {
			tn = "interface"
		}
		name = "(" + star + tn + ")." + name
	}
	s := Step{Name: name}
	if fn.Pkg() != nil {
		s.PkgPath, s.PkgName = fn.Pkg().Path(), fn.Pkg().Name()
	}
	return s
}

func (c *checker) viaCallee(call *ast.CallExpr, callee *types.Func, f *Blocks) site {
	chain := append([]Step{step(callee)}, f.Chain...)
	return site{node: call, call: call, what: f.What, kind: kindCall, chain: chain}
}

// sites lists the blocking operations of body, in source order. Calls of
// this package's functions not yet known to block are listed with an empty
// what, for computeFacts to revisit.
func (c *checker) sites(body *ast.BlockStmt, inAsync bool) []site {
	info := c.pass.TypesInfo
	var out []site
	inSelect := make(map[ast.Node]bool)
	asyncctx.Shallow(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectStmt:
			blocks, what := c.selectBlocks(n)
			for _, cl := range n.Body.List {
				cc := cl.(*ast.CommClause)
				if cc.Comm != nil {
					ast.Inspect(cc.Comm, func(m ast.Node) bool {
						switch m := m.(type) {
						case *ast.SendStmt:
							inSelect[m] = true
						case *ast.UnaryExpr:
							if m.Op == token.ARROW {
								inSelect[m] = true
							}
						}
						return true
					})
				}
			}
			if blocks {
				out = append(out, site{node: n, what: what, kind: kindChan})
			}
		case *ast.SendStmt:
			if !inSelect[n] {
				if ch, ok := c.blockingChan(n.Chan); ok {
					out = append(out, site{node: n, what: "a send on " + ch, kind: kindChan})
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && !inSelect[n] {
				if ch, ok := c.blockingChan(n.X); ok {
					out = append(out, site{node: n, what: "a receive from " + ch, kind: kindChan})
				}
			}
		case *ast.RangeStmt:
			if tv, ok := info.Types[n.X]; ok {
				if _, isChan := tv.Type.Underlying().(*types.Chan); isChan {
					if ch, ok := c.blockingChan(n.X); ok {
						out = append(out, site{node: n, what: "a range over " + ch, kind: kindChan})
					}
				}
			}
		case *ast.CallExpr:
			if asyncctx.PassesHandle(info, n) {
				return true // an async call: checked where it is defined
			}
			fn := asyncctx.Callee(info, n)
			if fn == nil {
				return true
			}
			if runsLoop(fn) {
				return true // a loop run inside a task: the deadlock analyzer reports it, better
			}
			if what, k, ok := c.direct(fn, n); ok {
				if k != kindLock || inAsync {
					out = append(out, site{node: n, call: n, what: what, kind: k})
				}
				return true
			}
			if sig, ok := fn.Type().(*types.Signature); ok && asyncctx.IsAsyncSig(sig) {
				return true
			}
			if f := c.facts[fn]; f != nil {
				out = append(out, c.viaCallee(n, fn, f))
			} else if fn.Pkg() != nil && fn.Pkg() != c.pass.Pkg {
				var f Blocks
				if c.pass.ImportObjectFact(fn, &f) {
					out = append(out, c.viaCallee(n, fn, &f))
				}
			} else if c.decls[fn] != nil {
				out = append(out, site{node: n, call: n})
			}
		}
		return true
	})
	return out
}

// runsLoop reports whether fn runs an event loop to completion.
func runsLoop(fn *types.Func) bool {
	return asyncctx.IsFunc(fn, asyncctx.AioPath, "Run") ||
		asyncctx.IsMethod(fn, asyncctx.AioPath, "Loop", "RunUntilComplete", "RunForever", "Close")
}

// direct recognises the calls that block by themselves.
func (c *checker) direct(fn *types.Func, call *ast.CallExpr) (string, kind, bool) {
	if fn.Pkg() == nil {
		return "", 0, false
	}
	name := step(fn).qualified(nil)
	path := fn.Pkg().Path()
	recvPath, recv := asyncctx.RecvNamed(fn)
	isFunc := recv == "" && recvPath == ""
	switch path {
	case "time":
		if isFunc && fn.Name() == "Sleep" {
			return name, kindSleep, true
		}
	case "net":
		if isFunc {
			switch fn.Name() {
			case "Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix",
				"LookupHost", "LookupIP", "LookupAddr", "LookupCNAME", "LookupMX",
				"LookupNS", "LookupPort", "LookupSRV", "LookupTXT":
				return name, kindCall, true
			}
			return "", 0, false
		}
		switch recv {
		case "Dialer":
			if strings.HasPrefix(fn.Name(), "Dial") {
				return name, kindCall, true
			}
		case "Resolver":
			if strings.HasPrefix(fn.Name(), "Lookup") {
				return name, kindCall, true
			}
		case "Conn", "TCPConn", "UDPConn", "UnixConn", "IPConn", "PacketConn":
			switch fn.Name() {
			case "Read", "Write", "ReadFrom", "WriteTo", "ReadFromUDP", "WriteToUDP",
				"ReadMsgUDP", "WriteMsgUDP", "ReadFromUnix", "WriteToUnix", "ReadMsgUnix",
				"WriteMsgUnix", "ReadFromIP", "WriteToIP", "ReadFromUDPAddrPort",
				"WriteToUDPAddrPort", "ReadMsgUDPAddrPort", "WriteMsgUDPAddrPort":
				return name, kindCall, true
			}
		case "Listener", "TCPListener", "UnixListener":
			if strings.HasPrefix(fn.Name(), "Accept") {
				return name, kindCall, true
			}
		}
	case "net/http":
		if isFunc {
			switch fn.Name() {
			case "Get", "Head", "Post", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS":
				return name, kindCall, true
			}
			return "", 0, false
		}
		switch recv {
		case "Client":
			switch fn.Name() {
			case "Do", "Get", "Head", "Post", "PostForm":
				return name, kindCall, true
			}
		case "Server":
			switch fn.Name() {
			case "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS":
				return name, kindCall, true
			}
		}
	case "os":
		if isFunc {
			switch fn.Name() {
			case "Open", "OpenFile", "Create", "ReadFile", "WriteFile", "ReadDir", "CreateTemp":
				return name, kindCall, true
			}
			return "", 0, false
		}
		if recv == "File" && !isStdStream(c.pass.TypesInfo, call) {
			switch fn.Name() {
			case "Read", "ReadAt", "Write", "WriteAt", "WriteString", "ReadFrom", "WriteTo",
				"Sync", "ReadDir", "Readdir", "Readdirnames":
				return name, kindCall, true
			}
		}
	case "os/exec":
		if recv == "Cmd" {
			switch fn.Name() {
			case "Run", "Output", "CombinedOutput", "Wait":
				return name, kindCall, true
			}
		}
	case "sync":
		switch {
		case (recv == "Mutex" || recv == "RWMutex") && (fn.Name() == "Lock" || fn.Name() == "RLock"):
			return name, kindLock, true
		case recv == "WaitGroup" && fn.Name() == "Wait":
			return name, kindCall, true
		case recv == "Cond" && fn.Name() == "Wait":
			return name, kindWait, true
		}
	case asyncctx.FuturesPath:
		if recv == "Future" {
			switch fn.Name() {
			case "Result", "ResultTimeout", "Exception":
				return name, kindCall, true
			}
		}
		if isFunc && fn.Name() == "Wait" {
			return name, kindCall, true
		}
	}
	return "", 0, false
}

// isStdStream reports whether call is a method call on os.Stdout or
// os.Stderr: terminal writes are not worth a report.
func isStdStream(info *types.Info, call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := ast.Unparen(sel.X).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := info.Uses[x.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "os" && (v.Name() == "Stdout" || v.Name() == "Stderr" || v.Name() == "Stdin")
}

// blockingChan reports whether e is a channel whose operations surely wait:
// a local channel made without a buffer, a timer's channel, or a context's
// Done channel. It returns a description for messages.
func (c *checker) blockingChan(e ast.Expr) (string, bool) {
	info := c.pass.TypesInfo
	e = ast.Unparen(e)
	switch e := e.(type) {
	case *ast.CallExpr:
		fn := asyncctx.Callee(info, e)
		if asyncctx.IsFunc(fn, "time", "After", "Tick") {
			return "time." + fn.Name(), true
		}
		if fn != nil && fn.Name() == "Done" {
			if p, n := asyncctx.RecvNamed(fn); p == "context" && n == "Context" {
				return types.ExprString(e), true
			}
		}
	case *ast.SelectorExpr:
		if e.Sel.Name == "C" {
			if tv, ok := info.Types[e.X]; ok && (asyncctx.IsNamed(tv.Type, "time", "Timer") || asyncctx.IsNamed(tv.Type, "time", "Ticker")) {
				return types.ExprString(e), true
			}
		}
	case *ast.Ident:
		if v, ok := info.Uses[e].(*types.Var); ok && c.unbuffered(v) {
			return "unbuffered channel " + e.Name, true
		}
	}
	return "", false
}

// unbuffered reports whether v is a local variable whose only assignment
// is make(chan T) or make(chan T, 0), and whose address is never taken.
func (c *checker) unbuffered(v *types.Var) bool {
	if v.IsField() || v.Pkg() != c.pass.Pkg || v.Parent() == nil || v.Parent() == c.pass.Pkg.Scope() {
		return false
	}
	if c.unbuf == nil {
		c.unbuf = c.unbufferedVars()
	}
	return c.unbuf[v]
}

// unbufferedVars walks the package once for unbuffered: the variables
// assigned exactly once, by make(chan T) or make(chan T, 0), and never
// ranged into or taken the address of.
func (c *checker) unbufferedVars() map[*types.Var]bool {
	info := c.pass.TypesInfo
	isMake := func(e ast.Expr) bool {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok {
			return false
		}
		if b, ok := info.Uses[identOf(call.Fun)].(*types.Builtin); !ok || b.Name() != "make" {
			return false
		}
		if len(call.Args) == 1 {
			return true
		}
		if len(call.Args) == 2 {
			if tv, ok := info.Types[call.Args[1]]; ok && tv.Value != nil && tv.Value.String() == "0" {
				return true
			}
		}
		return false
	}
	assigns := make(map[*types.Var]int)
	bad := make(map[*types.Var]bool)
	varOf := func(e ast.Expr) *types.Var {
		if id, ok := e.(*ast.Ident); ok {
			v, _ := info.ObjectOf(id).(*types.Var)
			return v
		}
		return nil
	}
	for _, file := range c.pass.Files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, l := range n.Lhs {
					if v := varOf(ast.Unparen(l)); v != nil {
						assigns[v]++
						if len(n.Lhs) != len(n.Rhs) || !isMake(n.Rhs[i]) {
							bad[v] = true
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if v, ok := info.Defs[id].(*types.Var); ok {
						assigns[v]++
						if len(n.Values) != len(n.Names) || !isMake(n.Values[i]) {
							bad[v] = true
						}
					}
				}
			case *ast.UnaryExpr:
				if v, ok := info.Uses[identOf(n.X)].(*types.Var); ok && n.Op == token.AND {
					bad[v] = true
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if v := varOf(e); v != nil {
						bad[v] = true
					}
				}
			}
			return true
		})
	}
	out := make(map[*types.Var]bool)
	for v, n := range assigns {
		if n == 1 && !bad[v] {
			out[v] = true
		}
	}
	return out
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}

// selectBlocks reports whether a select without a default case waits on
// nothing but operations that surely wait.
func (c *checker) selectBlocks(s *ast.SelectStmt) (bool, string) {
	if len(s.Body.List) == 0 {
		return true, "select {}"
	}
	var chans []string
	for _, cl := range s.Body.List {
		cc := cl.(*ast.CommClause)
		if cc.Comm == nil {
			return false, ""
		}
		var ch ast.Expr
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			ch = comm.Chan
		case *ast.ExprStmt:
			ch = recvChan(comm.X)
		case *ast.AssignStmt:
			if len(comm.Rhs) == 1 {
				ch = recvChan(comm.Rhs[0])
			}
		}
		if ch == nil {
			return false, ""
		}
		d, ok := c.blockingChan(ch)
		if !ok {
			return false, ""
		}
		chans = append(chans, d)
	}
	return true, "a select with no default case (on " + strings.Join(chans, ", ") + ")"
}

func recvChan(e ast.Expr) ast.Expr {
	if u, ok := ast.Unparen(e).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u.X
	}
	return nil
}

// check reports the blocking operations of an async function.
func (c *checker) check(fn asyncctx.Func) {
	for _, s := range c.sites(fn.Body, true) {
		if s.what == "" || s.kind == kindLock && c.held.HeldAcrossSuspension(s.call) {
			continue
		}
		msg := s.what + " blocks the event loop"
		if s.kind == kindLock {
			msg = s.what + " may block the event loop (use an aio.Lock between tasks)"
		}
		if len(s.chain) > 0 {
			names := make([]string, 0, len(s.chain)+1)
			for _, st := range s.chain {
				names = append(names, st.qualified(c.pass.Pkg))
			}
			names = append(names, s.what)
			msg += " (via " + strings.Join(names, " → ") + ")"
		}
		d := analysis.Diagnostic{Pos: s.node.Pos(), End: s.node.End(), Category: "blocking", Message: msg}
		if fix, ok := c.fix(fn, s); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
		c.pass.Report(d)
	}
}

// fix builds the suggested fix for a blocking site, when it is mechanical.
func (c *checker) fix(fn asyncctx.Func, s site) (analysis.SuggestedFix, bool) {
	var none analysis.SuggestedFix
	if s.call == nil || (s.kind != kindSleep && s.kind != kindCall) {
		return none, false
	}
	info, pkg := c.pass.TypesInfo, c.pass.Pkg
	file := fixgen.FileOf(c.pass.Files, s.call.Pos())
	if file == nil || fixgen.InNestedLit(fn.Body, s.call.Pos()) {
		return none, false
	}
	aioName := fixgen.ImportName(info, file, asyncctx.AioPath)
	t := asyncctx.TaskInScope(pkg, s.call.Pos(), fn.Sig)
	if aioName == "" || t == nil || !fixgen.PkgNameAt(pkg, aioName, asyncctx.AioPath, s.call.Pos()) {
		return none, false
	}
	q := fixgen.NewQualifier(info, pkg, file)
	stmt := c.stmtOf(fn.Body, s.call)
	ret, retOK := q.ErrReturn(fn.Sig)

	if s.kind == kindSleep {
		if stmt == nil || !retOK || len(s.call.Args) != 1 {
			return none, false
		}
		text := fmt.Sprintf("if err := %s.Sleep(%s, %s); err != nil {\n%s\n}", aioName, t.Name(), fixgen.Source(c.pass.Fset, s.call.Args[0]), ret)
		edits := []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}}
		if imp := c.dropImportIfLastUse(file, s.call); imp != nil {
			edits = append(edits, *imp)
		}
		return analysis.SuggestedFix{Message: "Replace time.Sleep with aio.Sleep", TextEdits: edits}, true
	}

	if stmt != nil {
		if !retOK {
			return none, false
		}
		text := fmt.Sprintf("if _, err := %s.ToThread(%s, func() (struct{}, error) {\n%s\nreturn struct{}{}, nil\n}); err != nil {\n%s\n}",
			aioName, t.Name(), fixgen.Source(c.pass.Fset, s.call), ret)
		return analysis.SuggestedFix{
			Message:   "Run the blocking call on a thread with aio.ToThread",
			TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}},
		}, true
	}
	tup, ok := info.Types[s.call].Type.(*types.Tuple)
	if !ok || tup.Len() != 2 || !fixgen.IsError(tup.At(1).Type()) || c.inDeferOrGo(fn.Body, s.call) {
		return none, false
	}
	rt, ok := q.TypeString(tup.At(0).Type())
	if !ok {
		return none, false
	}
	text := fmt.Sprintf("%s.ToThread(%s, func() (%s, error) { return %s })", aioName, t.Name(), rt, fixgen.Source(c.pass.Fset, s.call))
	return analysis.SuggestedFix{
		Message:   "Run the blocking call on a thread with aio.ToThread",
		TextEdits: []analysis.TextEdit{{Pos: s.call.Pos(), End: s.call.End(), NewText: []byte(text)}},
	}, true
}

// stmtOf returns the expression statement made of call alone, when it
// stands in a statement list (where an if statement may replace it).
func (c *checker) stmtOf(body *ast.BlockStmt, call *ast.CallExpr) ast.Stmt {
	var out ast.Stmt
	ast.Inspect(body, func(n ast.Node) bool {
		if es, ok := n.(*ast.ExprStmt); ok && ast.Unparen(es.X) == call && c.stmtOK[es] {
			out = es
		}
		return out == nil
	})
	return out
}

func (c *checker) inDeferOrGo(body *ast.BlockStmt, call *ast.CallExpr) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.DeferStmt:
			found = found || n.Call == call
		case *ast.GoStmt:
			found = found || n.Call == call
		}
		return !found
	})
	return found
}

// dropImportIfLastUse returns an edit deleting the file's import of "time"
// when the Sleep call is its only use.
func (c *checker) dropImportIfLastUse(file *ast.File, call *ast.CallExpr) *analysis.TextEdit {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	pn, ok := c.pass.TypesInfo.Uses[x].(*types.PkgName)
	if !ok {
		return nil
	}
	uses := 0 // the selector's own use included; the argument keeps its uses
	ast.Inspect(file, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == pn {
			uses++
		}
		return true
	})
	if uses != 1 {
		return nil
	}
	for _, decl := range file.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, spec := range gd.Specs {
			is := spec.(*ast.ImportSpec)
			if c.pass.TypesInfo.Defs[is.Name] == pn || c.pass.TypesInfo.Implicits[is] == pn {
				if len(gd.Specs) == 1 {
					return &analysis.TextEdit{Pos: gd.Pos(), End: gd.End()}
				}
				return &analysis.TextEdit{Pos: is.Pos(), End: is.End()}
			}
		}
	}
	return nil
}
