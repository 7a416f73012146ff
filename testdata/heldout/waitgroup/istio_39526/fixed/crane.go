// Package fixed is the fixed version of waitgroup/istio_39526: Done is
// deferred.
package fixed

import (
	"fmt"
	"log"
	"sync"
)

// Image is a pulled image.
type Image interface {
	Digest() string
}

// Registry is the part of crane the tool uses.
type Registry interface {
	Pull(ref string) (Image, error)
	Push(img Image, ref string) error
}

// Copier mirrors a list of images to another hub.
type Copier struct {
	Registry Registry
	DstHub   string
	mu       sync.Mutex
	copied   map[string]string
}

// CopyAll copies every image and waits for all of them.
func (c *Copier) CopyAll(images []string) {
	var wg sync.WaitGroup
	for _, image := range images {
		wg.Add(1)
		go func(image string) {
			defer wg.Done()
			img, err := c.Registry.Pull(image)
			if err != nil {
				log.Printf("pull %s: %v", image, err)
				return
			}
			dst := fmt.Sprintf("%s/%s", c.DstHub, image)
			if err := c.Registry.Push(img, dst); err != nil {
				log.Printf("push %s: %v", dst, err)
				return
			}
			c.mu.Lock()
			c.copied[image] = img.Digest()
			c.mu.Unlock()
		}(image)
	}
	wg.Wait()
}
