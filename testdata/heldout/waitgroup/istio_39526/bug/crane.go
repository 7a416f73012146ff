// Package bug is a held-out kernel (issue 14): goroutines that return on an
// error before their wg.Done, while the goroutine waiting on the WaitGroup
// holds a write lock that every later Build needs.
//
// Upstream: istio/istio#39526 ("style(crane) move wg.Done to defer": "WaitGroup will not done if there are some error during executeing go func")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: the docker-builder's WarmBase (tools/docker-builder/builder/crane.go)
// write-locks basesMu, adds one to wg per base image and starts a goroutine
// that waits on wg, stores the resolved images and unlocks basesMu; each
// fetching goroutine calls wg.Done as its last statement. When parsing a
// reference or fetching an image fails, the goroutine logs and returns
// first: wg.Wait never returns, basesMu stays locked, and every Build with
// a base image blocks on basesMu.RLock. (go-containerregistry's
// name.ParseReference and remote.Image are function variables here, and
// RunCrane is reduced to a loop.)
//
// Fix: each fetching goroutine defers wg.Done.
package bug

import (
	"log"
	"sync"
	"time"
)

// ConfigFile is an image's configuration.
type ConfigFile struct {
	Env        []string
	Entrypoint []string
}

// Image is a container image.
type Image interface {
	ConfigFile() (*ConfigFile, error)
}

type emptyImage struct{}

func (emptyImage) ConfigFile() (*ConfigFile, error) { return &ConfigFile{}, nil }

// Reference is a parsed image reference.
type Reference interface {
	String() string
}

// ParseReference and RemoteImage stand for name.ParseReference and
// remote.Image.
var (
	ParseReference func(s string) (Reference, error)
	RemoteImage    func(ref Reference) (Image, error)
)

// Args describes one image to build.
type Args struct {
	Name string
	Env  map[string]string
	// Base image to use
	Base string
}

var (
	bases   = map[string]Image{}
	basesMu sync.RWMutex
)

// WarmBase resolves the base images in the background; Build reads them
// under basesMu.
func WarmBase(baseImages ...string) {
	basesMu.Lock()
	wg := sync.WaitGroup{}
	wg.Add(len(baseImages))
	resolvedBaseImages := make([]Image, len(baseImages))
	go func() {
		wg.Wait() // heldout:site
		for i, rbi := range resolvedBaseImages {
			bases[baseImages[i]] = rbi
		}
		basesMu.Unlock()
	}()

	t0 := time.Now()
	for i, b := range baseImages {
		b, i := b, i
		go func() {
			ref, err := ParseReference(b)
			if err != nil {
				log.Printf("base %v failed: %v", b, err)
				return // heldout:site
			}
			bi, err := RemoteImage(ref)
			if err != nil {
				log.Printf("base %v failed: %v", b, err)
				return // heldout:site
			}
			log.Printf("base %v loaded after %v", b, time.Since(t0))
			resolvedBaseImages[i] = bi
			wg.Done()
		}()
	}
}

// Build builds the image on top of its base.
func Build(args Args) (*ConfigFile, error) {
	var baseImage Image = emptyImage{}
	if args.Base != "" {
		basesMu.RLock() // heldout:site
		baseImage = bases[args.Base]
		basesMu.RUnlock()
	}
	if baseImage == nil {
		log.Printf("on demand loading base image %q", args.Base)
		ref, err := ParseReference(args.Base)
		if err != nil {
			return nil, err
		}
		bi, err := RemoteImage(ref)
		if err != nil {
			return nil, err
		}
		baseImage = bi
	}
	cfgFile, err := baseImage.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg := *cfgFile
	for k, v := range args.Env {
		cfg.Env = append(cfg.Env, k+"="+v)
	}
	return &cfg, nil
}

// RunCrane warms the base images and builds every image.
func RunCrane(baseImages []string, builds []Args) error {
	WarmBase(baseImages...)
	for _, b := range builds {
		if _, err := Build(b); err != nil {
			return err
		}
	}
	return nil
}
