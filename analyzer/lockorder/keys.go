package lockorder

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Locks, channels, wait groups and conds are named by two keys.
//
// The instance key names one object inside one function: a root (a
// parameter, a free variable, a global or a local allocation) followed by a
// field path, e.g. "{p0}.mu" for the receiver's mu field, "{g:pkg.mu}" for
// a package variable, "{p1}.next^.mu" for the mu of the struct p1.next
// points to. Two operations on the same instance key in one function act on
// the same object (barring reassignment in between, which we accept).
//
// The class key replaces parameter roots by their type ("{T:*pkg.T}.mu"),
// so that two functions of a package can be compared: it is what lock-order
// edges and waiter/waker matching use. Distinct instances of the same field
// share a class key; the analyses that use classes are conservative about it.

// keyer computes keys for the values of one package's SSA functions.
type keyer struct {
	closures map[*ssa.Function]*ssa.MakeClosure // closure -> its unique MakeClosure, or nil
}

func newKeyer(funcs []*ssa.Function) *keyer {
	k := &keyer{closures: make(map[*ssa.Function]*ssa.MakeClosure)}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeClosure)
				if !ok {
					continue
				}
				cl := mc.Fn.(*ssa.Function)
				if _, dup := k.closures[cl]; dup {
					k.closures[cl] = nil // ambiguous: created at several sites
				} else {
					k.closures[cl] = mc
				}
			}
		}
	}
	return k
}

// inst returns the instance key of v, or "" when v has no stable identity
// (a call result, a phi, a dynamically indexed element...).
func inst(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Global:
		return "{g:" + v.Pkg.Pkg.Path() + "." + v.Name() + "}"
	case *ssa.Parameter:
		for i, p := range v.Parent().Params {
			if p == v {
				return fmt.Sprintf("{p%d}", i)
			}
		}
	case *ssa.FreeVar:
		for i, p := range v.Parent().FreeVars {
			if p == v {
				return fmt.Sprintf("{f%d}", i)
			}
		}
	case *ssa.Alloc:
		if p := spilledParam(v); p != nil {
			return inst(p) + "&"
		}
		return "{a:" + v.Name() + "}"
	case *ssa.MakeChan:
		return "{mk:" + v.Name() + "}"
	case *ssa.FieldAddr:
		if x := inst(v.X); x != "" {
			return x + "." + fieldName(v.X.Type(), v.Field)
		}
	case *ssa.Field:
		if x := inst(v.X); x != "" {
			return x + "." + fieldName(v.X.Type(), v.Field)
		}
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if x := inst(v.X); x != "" {
				return norm(x + "^")
			}
		}
	case *ssa.IndexAddr:
		if c, ok := v.Index.(*ssa.Const); ok && c.Value != nil {
			if x := inst(v.X); x != "" {
				return x + "[" + c.Value.String() + "]"
			}
		}
	case *ssa.ChangeType:
		return inst(v.X)
	case *ssa.MakeInterface:
		return inst(v.X)
	case *ssa.Call:
		if x, name, load := getterField(v); x != nil {
			if k := inst(x); k != "" {
				return getterKey(k, name, load)
			}
		}
		if fa := atomicLoad(v.Common()); fa != nil {
			if k := inst(fa); k != "" {
				return norm(k + "^")
			}
		}
	case addrOf:
		if x := inst(v.x); x != "" {
			return x + "&"
		}
	case ownerOf:
		if x := v.resolve(); x != nil {
			return inst(x)
		}
		if x := inst(v.elem); x != "" {
			return x + "<" + v.field
		}
	}
	return ""
}

// class returns the class key of v ("" if none).
func (k *keyer) class(v ssa.Value) string {
	return k.classDepth(v, 0)
}

func (k *keyer) classDepth(v ssa.Value, depth int) string {
	if depth > 8 {
		return ""
	}
	switch v := v.(type) {
	case *ssa.Global:
		return inst(v)
	case *ssa.Parameter:
		return "{T:" + types.TypeString(v.Type(), nil) + "}"
	case *ssa.FreeVar:
		if mc := k.closures[v.Parent()]; mc != nil {
			for i, p := range v.Parent().FreeVars {
				if p == v {
					if c := k.classDepth(mc.Bindings[i], depth+1); c != "" {
						return c
					}
				}
			}
		}
		return "{T:" + types.TypeString(v.Type(), nil) + "}"
	case *ssa.Alloc:
		if p := spilledParam(v); p != nil {
			return k.classDepth(p, depth+1) + "&"
		}
		return fmt.Sprintf("{a:%s:%s}", v.Parent().String(), v.Name())
	case *ssa.MakeChan:
		return fmt.Sprintf("{mk:%s:%s}", v.Parent().String(), v.Name())
	case *ssa.FieldAddr:
		if x := k.classDepth(v.X, depth+1); x != "" {
			return x + "." + fieldName(v.X.Type(), v.Field)
		}
	case *ssa.Field:
		if x := k.classDepth(v.X, depth+1); x != "" {
			return x + "." + fieldName(v.X.Type(), v.Field)
		}
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if x := k.classDepth(v.X, depth+1); x != "" {
				return norm(x + "^")
			}
		}
	case *ssa.IndexAddr:
		if c, ok := v.Index.(*ssa.Const); ok && c.Value != nil {
			if x := k.classDepth(v.X, depth+1); x != "" {
				return x + "[" + c.Value.String() + "]"
			}
		}
	case *ssa.ChangeType:
		return k.classDepth(v.X, depth+1)
	case *ssa.MakeInterface:
		return k.classDepth(v.X, depth+1)
	case *ssa.Call:
		if x, name, load := getterField(v); x != nil {
			if c := k.classDepth(x, depth+1); c != "" {
				return getterKey(c, name, load)
			}
		}
	case addrOf:
		if x := k.classDepth(v.x, depth+1); x != "" {
			return x + "&"
		}
	case ownerOf:
		if x := v.resolve(); x != nil {
			return k.classDepth(x, depth+1)
		}
		if x := k.classDepth(v.elem, depth+1); x != "" {
			return x + "<" + v.field
		}
	}
	return ""
}

// desc returns a short source-like description of v for messages.
func desc(v ssa.Value) string {
	switch v := v.(type) {
	case *ssa.Global:
		return v.Name()
	case *ssa.Parameter:
		return v.Name()
	case *ssa.FreeVar:
		return v.Name()
	case *ssa.Alloc:
		if p := spilledParam(v); p != nil {
			return p.Name()
		}
		if v.Comment != "" {
			return v.Comment
		}
		return "local"
	case *ssa.MakeChan:
		return "channel"
	case *ssa.FieldAddr:
		return desc(v.X) + "." + fieldName(v.X.Type(), v.Field)
	case *ssa.Field:
		return desc(v.X) + "." + fieldName(v.X.Type(), v.Field)
	case *ssa.UnOp:
		if v.Op == token.MUL {
			return desc(v.X)
		}
	case *ssa.IndexAddr:
		if c, ok := v.Index.(*ssa.Const); ok && c.Value != nil {
			return desc(v.X) + "[" + c.Value.String() + "]"
		}
		return desc(v.X) + "[…]"
	case *ssa.Lookup:
		return desc(v.X) + "[…]"
	case *ssa.Extract:
		switch t := v.Tuple.(type) {
		case *ssa.Lookup:
			return desc(t.X) + "[…]"
		case *ssa.Next:
			if r, ok := t.Iter.(*ssa.Range); ok && v.Index == 2 {
				return desc(r.X) + "[…]"
			}
		}
	case *ssa.Call:
		if callee := v.Call.StaticCallee(); callee != nil {
			if x, _, _ := getterField(v); x != nil {
				return desc(x) + "." + callee.Name() + "()"
			}
			return callee.Name() + "(…)"
		}
		if v.Call.IsInvoke() {
			return desc(v.Call.Value) + "." + v.Call.Method.Name() + "()"
		}
	case *ssa.ChangeType:
		return desc(v.X)
	case *ssa.MakeInterface:
		return desc(v.X)
	case addrOf:
		return desc(v.x)
	case ownerOf:
		if x := v.resolve(); x != nil {
			return desc(x)
		}
		if v.name != "" && v.name != "?" {
			return v.name
		}
		return "the owner of " + desc(v.elem) + "." + v.field
	}
	return "?"
}

func fieldName(t types.Type, i int) string {
	t = t.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	if s, ok := t.(*types.Struct); ok && i < s.NumFields() {
		return s.Field(i).Name()
	}
	return fmt.Sprintf("#%d", i)
}

// splitKey splits an instance key into its root ("{p0}") and path (".mu^").
func splitKey(key string) (root, path string) {
	i := strings.IndexByte(key, '}')
	if i < 0 {
		return key, ""
	}
	return key[:i+1], key[i+1:]
}

// descPath turns a key path into a readable suffix (".next.mu"; an
// owner step "<f" reads "(owner via f)").
func descPath(path string) string {
	path = strings.ReplaceAll(path, "^", "")
	if strings.HasPrefix(path, "<") {
		end := len(path)
		if i := strings.IndexAny(path[1:], ".<["); i >= 0 {
			end = i + 1
		}
		path = "'s owner (via " + path[1:end] + ")" + path[end:]
	}
	return path
}

// determinate reports whether a class key names one object (a package
// variable or one local allocation) rather than every instance of a type.
func determinate(class string) bool {
	return strings.HasPrefix(class, "{g:") || strings.HasPrefix(class, "{a:") || strings.HasPrefix(class, "{mk:")
}

func constInt(v ssa.Value) (int64, bool) {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0, false
	}
	return constant.Int64Val(c.Value)
}

// fieldKey names what v is stored in or loaded from by type and field
// ("a.Cache.ch"), or by package variable, so that a constructor's stores
// and the methods' loads agree; "" otherwise.
func fieldKey(v ssa.Value) string {
	for {
		switch x := v.(type) {
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return ""
			}
			v = x.X
			continue
		case *ssa.ChangeType:
			v = x.X
			continue
		case *ssa.MakeInterface:
			v = x.X
			continue
		case *ssa.FieldAddr:
			p, ok := x.X.Type().Underlying().(*types.Pointer)
			if !ok {
				return "" // a type parameter
			}
			if _, anon := p.Elem().(*types.Struct); anon {
				// A field of an unnamed struct field (`mu struct {
				// sync.Mutex; … }`): named by the field holding it,
				// "pkg.T.mu.Mutex", not by the struct's spelling.
				if outer := fieldKey(x.X); outer != "" {
					return outer + "." + fieldName(x.X.Type(), x.Field)
				}
			}
			return types.TypeString(p.Elem(), nil) + "." + fieldName(x.X.Type(), x.Field)
		case *ssa.Global:
			return inst(x)
		case *ssa.IndexAddr:
			// An element of a slice or array field of locks (lock
			// striping: s.locks[i]): the class of every element.
			if !isSyncLock(x.Type()) {
				return ""
			}
			if outer := fieldKey(x.X); outer != "" {
				return outer + "·elem" // not "[]": genericClass
			}
			return ""
		case *ssa.Call:
			if g, name, _ := getterField(x); g != nil {
				if p, ok := g.Type().Underlying().(*types.Pointer); ok {
					return types.TypeString(p.Elem(), nil) + "." + name
				}
			}
		}
		return ""
	}
}

// getterKey is the key of field name of the value keyed k, loaded from
// it when load (a pointer's field: "k.name^"), as getterField resolves a
// getter's call.
func getterKey(k, name string, load bool) string {
	if load {
		return norm(k + "." + name + "^")
	}
	return k + "." + name
}

// spilledParam returns the parameter a holds when a is the variable of a
// parameter captured by a closure (SSA moves it to the heap): one store,
// of the parameter itself.
func spilledParam(a *ssa.Alloc) *ssa.Parameter {
	var p *ssa.Parameter
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a {
			q, ok := st.Val.(*ssa.Parameter)
			if !ok || p != nil {
				return nil
			}
			p = q
		}
	}
	return p
}

// norm cancels taking the address of a spilled parameter and loading it
// back ("&^"), so both spellings of the parameter's fields agree.
func norm(key string) string {
	key = strings.ReplaceAll(key, "&^", "")
	if strings.Contains(key, "<") {
		key = ownerBack(key)
	}
	return key
}

// ownerBack cancels a step to the owner of x through its pointer field f
// followed by a load of that field ("x<f.f^", then a field or the end):
// the owner's f is x itself (the object siteOwners saw stored there). A
// container field's load is followed by an index instead, and is kept.
func ownerBack(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] != '<' {
			continue
		}
		j := i + 1
		for j < len(key) && !strings.ContainsRune(".^<[&", rune(key[j])) {
			j++
		}
		f := key[i+1 : j]
		step := "." + f + "^"
		if f == "" || !strings.HasPrefix(key[j:], step) {
			continue
		}
		end := j + len(step)
		if end == len(key) || key[end] == '.' || key[end] == '<' {
			return ownerBack(key[:i] + key[end:])
		}
	}
	return key
}

// captured returns what a closure's captured variable holds when v loads
// it: the closure is made at one site, it only reads the variable, and
// its maker stores into it once (a range or := variable a goroutine
// literal uses). The value belongs to the maker's function; nil otherwise.
func (k *keyer) captured(v ssa.Value) ssa.Value {
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil
	}
	fv, ok := u.X.(*ssa.FreeVar)
	if !ok || storesTo(fv) {
		return nil
	}
	mc := k.closures[fv.Parent()]
	if mc == nil {
		return nil
	}
	a, ok := chanuse.Bound(mc, fv).(*ssa.Alloc)
	if !ok {
		return nil
	}
	var val ssa.Value
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != a || val != nil {
				return nil
			}
			val = r.Val
		case *ssa.UnOp, *ssa.MakeClosure, *ssa.DebugRef:
			// loads, and the closure's capture
		default:
			return nil
		}
	}
	return val
}

// isSyncLock reports whether t is a pointer to a sync.Mutex or
// sync.RWMutex.
func isSyncLock(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	return ok && (isNamed(p.Elem(), "sync", "Mutex") || isNamed(p.Elem(), "sync", "RWMutex"))
}
