// Package bug is a held-out kernel (issue 14): a terminal widget's
// terminfo cache whose lookup returns with the package-level cache mutex
// still held when it falls back to the built-in database, so the next
// terminal created waits for that mutex for ever.
//
// Upstream: gcla/gowid#45 ("Add missing mutex unlock in terminal.go")
// Round: 7
//
// Bug: findTerminfo locks cachedTerminfoMutex, returns a cached entry
// (unlocking) or tries the dynamic loader (tcell's dynamic.LoadTerminfo,
// which runs infocmp) and caches its result (unlocking). When the dynamic
// loader fails it looks the name up in the built-in table and returns
// without unlocking. The reporter's program then hung in the next
// terminal.NewExt, which calls findTerminfo again. The two loaders are our
// stand-ins for tcell's; NewExt is reduced to the lookup.
//
// Fix: the fallback path unlocks the mutex before returning.
package bug

import (
	"errors"
	"os/exec"
	"strings"
	"sync"
)

// Terminfo describes a terminal type.
type Terminfo struct {
	Name    string
	Columns int
	Lines   int
}

var cachedTerminfo map[string]*Terminfo
var cachedTerminfoMutex sync.Mutex

func init() {
	cachedTerminfo = make(map[string]*Terminfo)
}

var builtin = map[string]*Terminfo{
	"xterm":  {Name: "xterm", Columns: 80, Lines: 24},
	"vt100":  {Name: "vt100", Columns: 80, Lines: 24},
	"screen": {Name: "screen", Columns: 80, Lines: 24},
}

// loadDynamic asks infocmp for the terminal's description.
func loadDynamic(name string) (*Terminfo, string, error) {
	out, err := exec.Command("infocmp", "-1", name).Output()
	if err != nil {
		return nil, "", err
	}
	desc := string(out)
	if !strings.Contains(desc, name) {
		return nil, "", errors.New("terminal type not found")
	}
	return &Terminfo{Name: name, Columns: 80, Lines: 24}, desc, nil
}

// lookupBuiltin looks the name up in the compiled-in table.
func lookupBuiltin(name string) (*Terminfo, error) {
	if ti, ok := builtin[name]; ok {
		return ti, nil
	}
	return nil, errors.New("terminal entry not found")
}

// findTerminfo returns the terminal's description, trying the dynamic
// loader before the built-in table.
func findTerminfo(name string) (*Terminfo, error) {
	cachedTerminfoMutex.Lock() // heldout:site
	if ti, ok := cachedTerminfo[name]; ok {
		cachedTerminfoMutex.Unlock()
		return ti, nil
	}
	ti, _, e := loadDynamic(name)
	if e == nil {
		cachedTerminfo[name] = ti
		cachedTerminfoMutex.Unlock()
		return ti, nil
	}
	ti, e = lookupBuiltin(name)
	return ti, e // heldout:site
}

// Widget is a terminal widget.
type Widget struct {
	term string
	ti   *Terminfo
}

// NewExt makes a terminal widget for the given TERM.
func NewExt(term string) (*Widget, error) {
	ti, err := findTerminfo(term)
	if err != nil {
		return nil, err
	}
	return &Widget{term: term, ti: ti}, nil
}
