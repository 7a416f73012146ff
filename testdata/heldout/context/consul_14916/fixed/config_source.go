// Package fixed is the fixed version of context/consul_14916: syncLoop
// passes WatchCh a context it cancels on return.
package fixed

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
	chosen, _, _ := reflect.Select(cases)
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
		// Cancel the context on return to clean up the goroutine started by
		// WatchCh.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()

		for {
			select {
			case <-ws.WatchCh(ctx):
				// Something changed, re-run the query.
			case doneCh := <-closeCh:
				m.manager.Deregister(proxyID)
				close(doneCh)
				return
			case <-m.shutdownCh:
				return
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
