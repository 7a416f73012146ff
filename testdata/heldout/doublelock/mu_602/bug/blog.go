// Package bug is a held-out kernel (issue 14): micro/mu's blog package
// locks its mutex twice when an author's posts are deleted.
// DeletePostsByAuthor holds the package mutex while it filters the posts
// and then calls updateCache, which takes the same mutex to rebuild the
// rendered preview. The deleting goroutine blocks on itself, and every
// page that renders blog content waits on the read lock behind it.
//
// Upstream: micro/mu#602 ("Fix deadlock in DeletePostsByAuthor — was calling updateCache while h…")
// Round: 15
//
// Bug: the PR: "updateCache() takes mutex.Lock(). DeletePostsByAuthor
// already held mutex.Lock(). Deadlock. Every page that renders blog
// content hung forever." The package-level mutex and posts, updateCache,
// DeletePostsByAuthor and the readers (Preview) follow blog/blog.go; the
// HTML rendering and persistence are our reduction to strings and a
// save callback.
//
// Fix: DeletePostsByAuthor calls updateCacheUnlocked, "which expects the
// caller to hold the lock".
package bug

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
	mutex.Lock() // heldout:site
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
	updateCache() // heldout:site
	return deleted
}

// Preview returns the rendered preview for the home page.
func Preview() string {
	mutex.RLock() // heldout:site
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
