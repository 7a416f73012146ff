// Package fixed is the fixed version of doublelock/vgo_25919: the caching
// repo keeps one once per cached result instead of one mutex across calls.
package fixed

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

type cachedStat struct {
	once sync.Once
	info *RevInfo
	err  error
}

type cachedMod struct {
	once sync.Once
	data []byte
	err  error
}

type cachingRepo struct {
	mu    sync.Mutex // guards the maps only
	path  string
	r     Repo
	stats map[string]*cachedStat
	mods  map[string]*cachedMod
}

func (r *cachingRepo) Stat(rev string) (*RevInfo, error) {
	r.mu.Lock()
	c, ok := r.stats[rev]
	if !ok {
		c = &cachedStat{}
		r.stats[rev] = c
	}
	r.mu.Unlock()
	c.once.Do(func() { c.info, c.err = r.r.Stat(rev) })
	return c.info, c.err
}

func (r *cachingRepo) GoMod(version string) ([]byte, error) {
	r.mu.Lock()
	c, ok := r.mods[version]
	if !ok {
		c = &cachedMod{}
		r.mods[version] = c
	}
	r.mu.Unlock()
	c.once.Do(func() { c.data, c.err = r.r.GoMod(version) })
	return c.data, c.err
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
	r := &cachingRepo{path: path, r: newRepo(path), stats: map[string]*cachedStat{}, mods: map[string]*cachedMod{}}
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
