// Package fixed is the fixed version of buffered/grog_169: the downloads
// run in an error group that keeps the first error and cancels the rest,
// so no download goroutine waits on a channel.
package fixed

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

// Group is errgroup.Group reduced: it waits for its goroutines, keeps the
// first error and cancels its context on it.
type Group struct {
	cancel  context.CancelCauseFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

// WithContext returns a Group whose context the first error cancels.
func WithContext(ctx context.Context) (*Group, context.Context) {
	ctx, cancel := context.WithCancelCause(ctx)
	return &Group{cancel: cancel}, ctx
}

// Go runs f in a goroutine of the group.
func (g *Group) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				g.cancel(err)
			})
		}
	}()
}

// Wait waits for every goroutine and returns the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel(g.err)
	return g.err
}

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

	g, gctx := WithContext(ctx)
	walkErr := d.loadDirectoryRecursive(gctx, dirPath, tree.Root, tree.Children, progress, g)
	if err := g.Wait(); err != nil {
		return err
	}
	return walkErr
}

func (d *DirectoryOutputHandler) loadDirectoryRecursive(
	ctx context.Context,
	dirPath string,
	dir Directory,
	childrenMap map[Digest]Directory,
	progress *Progress,
	g *Group,
) error {
	if err := os.MkdirAll(dirPath, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dirPath, err)
	}

	for _, fileNode := range dir.Files {
		g.Go(func() error {
			mode := os.FileMode(0o644)
			if fileNode.Executable {
				mode = 0o755
			}
			path := filepath.Join(dirPath, fileNode.Name)
			if err := d.cas.Download(ctx, fileNode.Digest, path, mode); err != nil {
				return fmt.Errorf("downloading %s: %w", path, err)
			}
			progress.Add(1)
			return nil
		})
	}

	for _, sub := range dir.Directories {
		child, ok := childrenMap[sub.Digest]
		if !ok {
			return fmt.Errorf("directory %s (%s) missing from tree", sub.Name, sub.Digest)
		}
		if err := d.loadDirectoryRecursive(ctx, filepath.Join(dirPath, sub.Name), child, childrenMap, progress, g); err != nil {
			return err
		}
	}
	return nil
}
