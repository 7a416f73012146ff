// Package bug is a held-out kernel (issue 14): grog restores a directory
// output by downloading every file in its own goroutine; failures go to
// an error channel buffered to the number of subdirectories, but one is
// sent per failed file, and the channel is only drained after
// waitGroup.Wait(). Once more files fail than there are subdirectories,
// the surplus senders block, never call Done, and the build hangs in
// Wait with no output until CI kills it.
//
// Upstream: chrismatix/grog#169 ("Directory output restore deadlocks when downloads error: errChan undersized vs. file count")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Load fetches the directory's tree (a root directory plus its
// child directories keyed by digest), makes errChan with
// len(tree.Children) slots and calls loadDirectoryRecursive, which
// creates each directory, starts one goroutine per file (counted by the
// WaitGroup) that downloads it from the content-addressed store and, on
// failure, sends the error on errChan, then recurses into the
// subdirectories. Load then waits on the WaitGroup and only afterwards
// closes and drains errChan. A flat directory with no subdirectories has
// an unbuffered errChan, so the first failed file already blocks. The
// CAS, the file writing and the progress tracker are reduced to a Store
// interface and a counter.
//
// Fix (chrismatix/grog#170): the WaitGroup and channel are replaced by an
// errgroup.Group with a context, which keeps the first error without a
// channel and cancels the other downloads; errgroup is reduced to a small
// Group type here since the kernel uses the standard library only.
package bug

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Digest names a blob in the content-addressed store.
type Digest string

// FileNode is a file of a directory.
type FileNode struct {
	Name       string
	Digest     Digest
	Executable bool
}

// DirectoryNode is a subdirectory entry of a directory.
type DirectoryNode struct {
	Name   string
	Digest Digest
}

// Directory lists one directory's files and subdirectories.
type Directory struct {
	Files       []FileNode
	Directories []DirectoryNode
}

// Tree is a directory output: its root and every directory below it.
type Tree struct {
	Root     Directory
	Children map[Digest]Directory
}

// Store is the content-addressed cache.
type Store interface {
	LoadTree(ctx context.Context, digest Digest) (*Tree, error)
	Download(ctx context.Context, digest Digest, path string, mode os.FileMode) error
}

// Progress counts restored files.
type Progress struct{ done atomic.Int64 }

// Add records n more files.
func (p *Progress) Add(n int64) { p.done.Add(n) }

// DirectoryOutputHandler restores directory outputs from the cache.
type DirectoryOutputHandler struct {
	cas Store
}

// Load restores the directory output with the given tree digest into
// dirPath.
func (d *DirectoryOutputHandler) Load(ctx context.Context, dirPath string, treeDigest Digest) error {
	tree, err := d.cas.LoadTree(ctx, treeDigest)
	if err != nil {
		return fmt.Errorf("loading tree %s: %w", treeDigest, err)
	}
	progress := &Progress{}

	var waitGroup sync.WaitGroup
	errChan := make(chan error, len(tree.Children)) // heldout:site

	if err := d.loadDirectoryRecursive(ctx, dirPath, tree.Root, tree.Children, progress, &waitGroup, errChan); err != nil {
		return err
	}
	waitGroup.Wait() // heldout:site
	close(errChan)

	for err := range errChan {
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *DirectoryOutputHandler) loadDirectoryRecursive(
	ctx context.Context,
	dirPath string,
	dir Directory,
	childrenMap map[Digest]Directory,
	progress *Progress,
	waitGroup *sync.WaitGroup,
	errChan chan error,
) error {
	if err := os.MkdirAll(dirPath, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dirPath, err)
	}

	for _, fileNode := range dir.Files {
		waitGroup.Add(1)
		go func(fileNode FileNode) {
			defer waitGroup.Done()
			mode := os.FileMode(0o644)
			if fileNode.Executable {
				mode = 0o755
			}
			path := filepath.Join(dirPath, fileNode.Name)
			if err := d.cas.Download(ctx, fileNode.Digest, path, mode); err != nil {
				errChan <- fmt.Errorf("downloading %s: %w", path, err) // heldout:site
				return
			}
			progress.Add(1)
		}(fileNode)
	}

	for _, sub := range dir.Directories {
		child, ok := childrenMap[sub.Digest]
		if !ok {
			return fmt.Errorf("directory %s (%s) missing from tree", sub.Name, sub.Digest)
		}
		if err := d.loadDirectoryRecursive(ctx, filepath.Join(dirPath, sub.Name), child, childrenMap, progress, waitGroup, errChan); err != nil {
			return err
		}
	}
	return nil
}
