// Package bug is a held-out kernel (issue 14): a wg.Done at the end of a
// goroutine that returns early on error.
//
// Upstream: istio/istio#39526 ("style(crane) move wg.Done to defer": "WaitGroup will not done if there are some error during executeing go func")
// Round: 2
//
// Bug: the image-copying tool adds one per image and each goroutine calls
// wg.Done as its last statement, after the pull and the push; a pull or
// push error returns from the goroutine first, so Done is skipped and
// wg.Wait blocks forever.
//
// Fix: each goroutine defers wg.Done.
package bug

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
			img, err := c.Registry.Pull(image)
			if err != nil {
				log.Printf("pull %s: %v", image, err)
				return // heldout:site
			}
			dst := fmt.Sprintf("%s/%s", c.DstHub, image)
			if err := c.Registry.Push(img, dst); err != nil {
				log.Printf("push %s: %v", dst, err)
				return // heldout:site
			}
			c.mu.Lock()
			c.copied[image] = img.Digest()
			c.mu.Unlock()
			wg.Done()
		}(image)
	}
	wg.Wait() // heldout:site
}
