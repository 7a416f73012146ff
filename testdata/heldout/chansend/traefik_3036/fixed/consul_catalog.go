// Package fixed is the fixed version of chansend/traefik_3036: errors are
// reported through a notifyError that sends at most once per watch.
package fixed

import "sync"

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

	var errorOnce sync.Once
	notifyError := func(err error) {
		errorOnce.Do(func() {
			errorCh <- err
		})
	}

	p.watchHealthState(stopCh, watchCh, notifyError)
	p.watchCatalogServices(stopCh, watchCh, notifyError)

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
					notifyError(err)
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
	return err
}

func (p *Provider) watchCatalogServices(stopCh <-chan struct{}, watchCh chan<- map[string][]string, notifyError func(error)) {
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
				notifyError(err)
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

func (p *Provider) watchHealthState(stopCh <-chan struct{}, watchCh chan<- map[string][]string, notifyError func(error)) {
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
				notifyError(err)
				return
			}
			if lastIndex == waitIndex {
				continue
			}
			waitIndex = lastIndex
			data, _, err := p.client.Services(0)
			if err != nil {
				notifyError(err)
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
