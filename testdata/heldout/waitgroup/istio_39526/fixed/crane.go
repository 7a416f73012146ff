// Package fixed is the fixed version of waitgroup/istio_39526: each
// fetching goroutine defers wg.Done.
package fixed

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
		wg.Wait()
		for i, rbi := range resolvedBaseImages {
			bases[baseImages[i]] = rbi
		}
		basesMu.Unlock()
	}()

	t0 := time.Now()
	for i, b := range baseImages {
		b, i := b, i
		go func() {
			defer wg.Done()
			ref, err := ParseReference(b)
			if err != nil {
				log.Printf("base %v failed: %v", b, err)
				return
			}
			bi, err := RemoteImage(ref)
			if err != nil {
				log.Printf("base %v failed: %v", b, err)
				return
			}
			log.Printf("base %v loaded after %v", b, time.Since(t0))
			resolvedBaseImages[i] = bi
		}()
	}
}

// Build builds the image on top of its base.
func Build(args Args) (*ConfigFile, error) {
	var baseImage Image = emptyImage{}
	if args.Base != "" {
		basesMu.RLock()
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
