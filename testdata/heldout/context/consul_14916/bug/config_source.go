// Package bug is a held-out kernel (issue 14): a proxy sync loop that
// waits on a watch set through WatchCh(context.Background()); WatchCh
// starts a goroutine that returns only when a watched channel fires or
// the context is done, so when the loop returns (all xDS streams gone, or
// the manager shutting down) that goroutine waits for ever.
//
// Upstream: hashicorp/consul#14916 ("bug: fix goroutine leaks caused by incorrect usage of `WatchCh`")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: go-memdb's WatchSet.WatchCh "creates a goroutine that will publish
// to the returned channel when the watchset is triggered or the given
// context is canceled". The catalog config source's syncLoop selects on
// ws.WatchCh(context.Background()), on closeCh and on the manager's
// shutdownCh; when it returns through one of the latter two the WatchCh
// goroutine is left selecting on the watched channels and on a context
// that is never done ("the goroutine would keep running after the sync
// loop had terminated"). The watch set, the state store and the manager
// are our reduction; the xDS capacity controller half of the PR is left
// out.
//
// Fix: syncLoop makes a cancellable context, defers its cancel, and
// passes it to WatchCh.
package bug

import (
	"context"
	"reflect"
)

// WatchSet is a set of channels that fire when watched data changes.
type WatchSet map[<-chan struct{}]struct{}

// Add watches one more channel.
func (w WatchSet) Add(ch <-chan struct{}) { w[ch] = struct{}{} }

// WatchCtx blocks until a watched channel fires or ctx is done.
func (w WatchSet) WatchCtx(ctx context.Context) error {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}}
	for ch := range w {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)})
	}
	chosen, _, _ := reflect.Select(cases) // heldout:site
	if chosen == 0 {
		return ctx.Err()
	}
	return nil
}

// WatchCh returns a channel that gets WatchCtx's result; it starts a
// goroutine that lives until a watched channel fires or ctx is done.
func (w WatchSet) WatchCh(ctx context.Context) <-chan error {
	ch := make(chan error, 1)
	go func() {
		ch <- w.WatchCtx(ctx)
	}()
	return ch
}

// ProxyID names a registered proxy.
type ProxyID struct {
	NodeName string
	ID       string
}

// Store is the catalog's state store.
type Store interface {
	NodeService(ws WatchSet, node, id string) (bool, error)
	AbandonCh() <-chan struct{}
}

// Manager is the proxycfg manager.
type Manager interface {
	Register(id ProxyID) error
	Deregister(id ProxyID)
}

// ConfigSource registers proxies from the catalog.
type ConfigSource struct {
	store      Store
	manager    Manager
	shutdownCh chan struct{}
}

func (m *ConfigSource) startSync(closeCh <-chan chan struct{}, proxyID ProxyID) error {
	fetchAndRegister := func() (WatchSet, error) {
		ws := WatchSet{}
		ws.Add(m.store.AbandonCh())
		exists, err := m.store.NodeService(ws, proxyID.NodeName, proxyID.ID)
		switch {
		case err != nil:
			return nil, err
		case !exists:
			m.manager.Deregister(proxyID)
			return ws, nil
		default:
			if err := m.manager.Register(proxyID); err != nil {
				return nil, err
			}
			return ws, nil
		}
	}

	syncLoop := func(ws WatchSet) {
		for {
			select {
			case <-ws.WatchCh(context.Background()): // heldout:site
				// Something changed, re-run the query.
			case doneCh := <-closeCh:
				m.manager.Deregister(proxyID)
				close(doneCh)
				return // heldout:site
			case <-m.shutdownCh:
				return // heldout:site
			}

			var err error
			ws, err = fetchAndRegister()
			if err != nil {
				return
			}
		}
	}

	ws, err := fetchAndRegister()
	if err != nil {
		return err
	}
	go syncLoop(ws)
	return nil
}

// Shutdown stops every sync loop.
func (m *ConfigSource) Shutdown() {
	close(m.shutdownCh)
}
