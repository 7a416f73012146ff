// Package bug is a held-out kernel (issue 14): re-entrant locking of a
// caching repo through a package-level lookup that returns the same repo.
//
// Upstream: golang/go#25919 ("x/vgo: possible deadlock during vgo install")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug (bcmills' analysis in the issue): (*cachingRepo).GoMod locks r.mu;
// r.GoMod calls the underlying repo's GoMod, which calls legacyGoMod, which
// calls modfetch.ConvertLegacyConfig; that calls modfetch.Lookup, which
// returns r again from the lookup cache; r.Stat locks r.mu again.
//
// Fix: the caching repo no longer holds one mutex across calls into the
// underlying repo; each cached result has its own once (vgo moved
// cachingRepo to per-key caches, par.Cache).
package bug

import "sync"

// RevInfo describes a revision.
type RevInfo struct {
	Version string
	Time    string
}

// Repo is a module repository.
type Repo interface {
	Stat(rev string) (*RevInfo, error)
	GoMod(version string) ([]byte, error)
}

type cachingRepo struct {
	mu    sync.Mutex
	path  string
	r     Repo
	stats map[string]*RevInfo
	mods  map[string][]byte
}

func (r *cachingRepo) Stat(rev string) (*RevInfo, error) {
	r.mu.Lock() // heldout:site
	defer r.mu.Unlock()
	if info, ok := r.stats[rev]; ok {
		return info, nil
	}
	info, err := r.r.Stat(rev)
	if err != nil {
		return nil, err
	}
	r.stats[rev] = info
	return info, nil
}

func (r *cachingRepo) GoMod(version string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if data, ok := r.mods[version]; ok {
		return data, nil
	}
	data, err := r.r.GoMod(version) // heldout:site
	if err != nil {
		return nil, err
	}
	r.mods[version] = data
	return data, nil
}

var (
	lookupMu    sync.Mutex
	lookupCache = map[string]*cachingRepo{}
	newRepo     func(path string) Repo
)

// Lookup returns the (cached) repo for path.
func Lookup(path string) Repo {
	lookupMu.Lock()
	defer lookupMu.Unlock()
	if r, ok := lookupCache[path]; ok {
		return r
	}
	r := &cachingRepo{path: path, r: newRepo(path), stats: map[string]*RevInfo{}, mods: map[string][]byte{}}
	lookupCache[path] = r
	return r
}

// ConvertLegacyConfig converts a Godeps/glide file, pinning each
// dependency by looking its revision up.
func ConvertLegacyConfig(deps map[string]string) ([]byte, error) {
	var out []byte
	for path, rev := range deps {
		info, err := Lookup(path).Stat(rev)
		if err != nil {
			return nil, err
		}
		out = append(out, "require "+path+" "+info.Version+"\n"...)
	}
	return out, nil
}

type codeRepo struct {
	modPath    string
	legacyDeps func(version string) map[string]string
}

func (r *codeRepo) Stat(rev string) (*RevInfo, error) {
	return &RevInfo{Version: rev}, nil
}

func (r *codeRepo) GoMod(version string) ([]byte, error) {
	return r.legacyGoMod(version)
}

// legacyGoMod synthesizes a go.mod from the legacy config, which may
// depend on this same module path at another revision.
func (r *codeRepo) legacyGoMod(version string) ([]byte, error) {
	return ConvertLegacyConfig(r.legacyDeps(version))
}
