// Package fixed is the fixed version of doublelock/mu_602:
// DeletePostsByAuthor rebuilds the preview with updateCacheUnlocked under
// the lock it already holds.
package fixed

import (
	"strings"
	"sync"
)

// Post is a blog post.
type Post struct {
	ID     string
	Author string
	Title  string
}

var (
	mutex       sync.RWMutex
	posts       []*Post
	postsPrevew string
	save        = func([]*Post) error { return nil }
)

// updateCacheUnlocked rebuilds the preview; the caller holds mutex.
func updateCacheUnlocked() {
	var b strings.Builder
	for i, p := range posts {
		if i == 10 {
			break
		}
		b.WriteString(p.Title)
		b.WriteString("\n")
	}
	postsPrevew = b.String()
}

// updateCache rebuilds the preview under the lock.
func updateCache() {
	mutex.Lock()
	defer mutex.Unlock()
	updateCacheUnlocked()
}

// CreatePost adds a post.
func CreatePost(p *Post) error {
	mutex.Lock()
	posts = append([]*Post{p}, posts...)
	err := save(posts)
	mutex.Unlock()

	updateCache()
	return err
}

// DeletePostsByAuthor removes every post by author.
func DeletePostsByAuthor(author string) int {
	mutex.Lock()
	defer mutex.Unlock()

	kept := posts[:0]
	deleted := 0
	for _, p := range posts {
		if p.Author == author {
			deleted++
			continue
		}
		kept = append(kept, p)
	}
	posts = kept
	save(posts)
	updateCacheUnlocked()
	return deleted
}

// Preview returns the rendered preview for the home page.
func Preview() string {
	mutex.RLock()
	defer mutex.RUnlock()
	return postsPrevew
}

// Run deletes a banned author's posts while pages render.
func Run() {
	CreatePost(&Post{ID: "1", Author: "spam", Title: "buy now"})
	CreatePost(&Post{ID: "2", Author: "asim", Title: "hello"})

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		DeletePostsByAuthor("spam")
	}()
	go func() {
		defer wg.Done()
		Preview()
	}()
	wg.Wait()
}
