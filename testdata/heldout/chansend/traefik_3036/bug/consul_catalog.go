// Package bug is a held-out kernel (issue 14): a catalog provider whose
// watch loop returns on the first error from any of its watcher
// goroutines, leaving every other watcher that fails later blocked
// sending its error on the unbuffered error channel.
//
// Upstream: traefik/traefik#3036 ("Fix goroutine leak in consulcatalog when consul is down")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: watch starts a health watcher, a catalog watcher and a goroutine
// that turns catalog changes into configurations, all reporting failures
// with errorCh <- err, and returns on the first error it receives. When
// Consul is down every watcher fails, one error is received, and the
// others block on their sends forever; the provider retries watch with
// backoff, leaking more goroutines each time. Our reduction: the Consul
// client is an interface, the provider's stop channel is left out, and
// the data sends select on stopCh.
//
// Fix: the goroutines report through notifyError, which sends at most
// once per watch (sync.Once).
package bug

// Catalog is the part of the Consul API the provider uses.
type Catalog interface {
	Services(waitIndex uint64) (map[string][]string, uint64, error)
	HealthState(waitIndex uint64) (map[string][]string, uint64, error)
	HealthyNodes(service string) ([]string, error)
}

// ConfigMessage is a configuration for the router.
type ConfigMessage struct {
	ProviderName string
	Backends     map[string][]string
}

// Provider watches the Consul catalog.
type Provider struct {
	client Catalog
}

func (p *Provider) watch(configurationChan chan<- ConfigMessage) error {
	stopCh := make(chan struct{})
	watchCh := make(chan map[string][]string)
	errorCh := make(chan error)

	p.watchHealthState(stopCh, watchCh, errorCh)
	p.watchCatalogServices(stopCh, watchCh, errorCh)

	defer close(stopCh)

	go func() {
		for {
			var index map[string][]string
			select {
			case index = <-watchCh:
			case <-stopCh:
				return
			}
			backends := make(map[string][]string)
			for service := range index {
				nodes, err := p.client.HealthyNodes(service)
				if err != nil {
					errorCh <- err // heldout:site
					return
				}
				backends[service] = nodes
			}
			select {
			case configurationChan <- ConfigMessage{ProviderName: "consul_catalog", Backends: backends}:
			case <-stopCh:
				return
			}
		}
	}()

	err := <-errorCh
	return err // heldout:site
}

func (p *Provider) watchCatalogServices(stopCh <-chan struct{}, watchCh chan<- map[string][]string, errorCh chan<- error) {
	go func() {
		var waitIndex uint64
		for {
			select {
			case <-stopCh:
				return
			default:
			}
			data, lastIndex, err := p.client.Services(waitIndex)
			if err != nil {
				errorCh <- err // heldout:site
				return
			}
			if lastIndex == waitIndex {
				continue
			}
			waitIndex = lastIndex
			select {
			case watchCh <- data:
			case <-stopCh:
				return
			}
		}
	}()
}

func (p *Provider) watchHealthState(stopCh <-chan struct{}, watchCh chan<- map[string][]string, errorCh chan<- error) {
	go func() {
		var waitIndex uint64
		for {
			select {
			case <-stopCh:
				return
			default:
			}
			_, lastIndex, err := p.client.HealthState(waitIndex)
			if err != nil {
				errorCh <- err // heldout:site
				return
			}
			if lastIndex == waitIndex {
				continue
			}
			waitIndex = lastIndex
			data, _, err := p.client.Services(0)
			if err != nil {
				errorCh <- err // heldout:site
				return
			}
			select {
			case watchCh <- data:
			case <-stopCh:
				return
			}
		}
	}()
}
