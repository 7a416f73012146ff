// Package fixed is the fixed version of context/azurecni_2427: Start runs
// the loops on a context it cancels when it returns, and errs has room for
// both results.
//
// Upstream: Azure/azure-container-networking#2427 ("fix: add contexts to clean up fsnotify goroutines")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// IPConfigsRequest asks CNS to release a pod's IPs.
type IPConfigsRequest struct {
	PodInterfaceID   string
	InfraContainerID string
}

// ReleaseIPsClient is the CNS client.
type ReleaseIPsClient interface {
	ReleaseIPs(ctx context.Context, req IPConfigsRequest) error
}

// FSWatcher is the part of fsnotify.Watcher the watcher uses.
type FSWatcher interface {
	Add(path string) error
	Events() <-chan string
	Errors() <-chan error
	Close() error
}

type watcher struct {
	cli        ReleaseIPsClient
	path       string
	newWatcher func() (FSWatcher, error)
	readFile   func(path, name string) (podInterfaceID string, err error)
	logf       func(string, ...any)

	pendingDelete map[string]struct{}
	lock          sync.Mutex
}

// New creates the AsyncDelete watcher.
func New(cli ReleaseIPsClient, path string, newWatcher func() (FSWatcher, error), readFile func(string, string) (string, error), logf func(string, ...any)) *watcher {
	return &watcher{
		cli:           cli,
		path:          path,
		newWatcher:    newWatcher,
		readFile:      readFile,
		logf:          logf,
		pendingDelete: make(map[string]struct{}),
	}
}

func (w *watcher) releaseAll(ctx context.Context) {
	w.lock.Lock()
	defer w.lock.Unlock()
	for containerID := range w.pendingDelete {
		podInterfaceID, err := w.readFile(w.path, containerID)
		if err != nil {
			w.logf("failed to read file for %s: %v", containerID, err)
			continue
		}
		req := IPConfigsRequest{PodInterfaceID: podInterfaceID, InfraContainerID: containerID}
		if err := w.cli.ReleaseIPs(ctx, req); err != nil {
			w.logf("failed to release IP for missed delete %s: %v", containerID, err)
			continue
		}
		delete(w.pendingDelete, containerID)
	}
}

// watchPendingDelete periodically releases the IPs of missed deletes.
func (w *watcher) watchPendingDelete(ctx context.Context) error {
	ticker := time.NewTicker(15 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("exiting watchPendingDelete: %w", ctx.Err())
		case <-ticker.C:
			w.lock.Lock()
			n := len(w.pendingDelete)
			w.lock.Unlock()
			if n == 0 {
				continue
			}
			w.releaseAll(ctx)
		}
	}
}

// watchFS records a pending delete for every file created in the path.
func (w *watcher) watchFS(ctx context.Context) error {
	fw, err := w.newWatcher()
	if err != nil {
		return fmt.Errorf("error creating fsnotify watcher: %w", err)
	}
	defer fw.Close()
	if err := fw.Add(w.path); err != nil {
		return fmt.Errorf("failed to add path to fsnotify watcher: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("exiting watchFS: %w", ctx.Err())
		case name, ok := <-fw.Events():
			if !ok {
				return errors.New("fsnotify watcher closed")
			}
			w.lock.Lock()
			w.pendingDelete[name] = struct{}{}
			w.lock.Unlock()
		case err := <-fw.Errors():
			w.logf("fsnotify watcher error: %v", err)
		}
	}
}

// Start starts the filesystem watcher to handle async Pod deletes.
// Blocks until the context is closed; returns underlying fsnotify errors
// if something goes fatally wrong.
func (w *watcher) Start(c context.Context) error {
	ctx, cancel := context.WithCancel(c)
	defer cancel()

	errs := make(chan error, 2)
	go func() {
		errs <- w.watchPendingDelete(ctx)
	}()
	go func() {
		errs <- w.watchFS(ctx)
	}()
	return <-errs
}
