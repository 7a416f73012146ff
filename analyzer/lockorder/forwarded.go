package lockorder

import "golang.org/x/tools/go/ssa"

// Callbacks forwarded through wrappers (session 24, mixwg;
// microsoft/hcsshim#49).
//
// passedFuncs names the functions the package's call sites pass to a
// constructor that stores its parameter into a callback field. A site
// in a wrapper that passes on a parameter of its own
// (`func registerCallback(fn func(...), ctx uintptr) hcsCallback {
// return svc.register(fn, ctx) }`) named nothing, although the
// wrapper's own call sites in the package pass a known function
// (registerCallback(notificationWatcher, n)). Such a parameter now
// stands for what the wrapper's call sites pass, through at most three
// wrappers; a site that passes something unknown still contributes
// nothing, and a wrapper with no call site in the package (exported,
// called from elsewhere) contributes nothing either.

// forwardedFuncs returns the function values the package's call sites of
// p's function pass for parameter p, following parameters passed on
// through wrappers up to depth 3.
func (c *checker) forwardedFuncs(p *ssa.Parameter, depth int) []storedFunc {
	if depth > 3 {
		return nil
	}
	fn := p.Parent()
	idx := paramIndex(fn, p)
	if idx < 0 {
		return nil
	}
	var out []storedFunc
	for _, site := range c.sites[fn] {
		if idx >= len(site.Call.Args) {
			continue
		}
		switch v := stripConv(site.Call.Args[idx]).(type) {
		case *ssa.Function, *ssa.MakeClosure:
			sf := storedFunc{val: v, site: site}
			if mc, ok := v.(*ssa.MakeClosure); ok {
				sf.owners = c.siteOwners(mc, site)
			}
			out = append(out, sf)
		case *ssa.Parameter:
			out = append(out, c.forwardedFuncs(v, depth+1)...)
		}
	}
	return out
}
