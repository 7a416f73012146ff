// Package fixed is the fixed version of chansend/traefik_4185: the
// provider's sends on configurationChan also return when the routine's
// context is done, so pool.Stop finds every routine gone.
package fixed

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

// Configuration is a dynamic configuration.
type Configuration struct {
	Backends  map[string][]string
	Frontends map[string]string
}

// Message is a configuration sent by a provider.
type Message struct {
	ProviderName  string
	Configuration *Configuration
}

// Container is a listed container or swarm service.
type Container struct {
	Name    string
	Address string
	Labels  map[string]string
}

// Client is the part of the docker API client the provider uses.
type Client interface {
	ServerVersion(ctx context.Context) (string, error)
	ListContainers(ctx context.Context) ([]Container, error)
	ListServices(ctx context.Context) ([]Container, error)
}

// Pool runs routines bound to a common context.
type Pool struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewPool creates a pool.
func NewPool(parent context.Context) *Pool {
	ctx, cancel := context.WithCancel(parent)
	return &Pool{ctx: ctx, cancel: cancel}
}

// GoCtx starts a routine with the pool's context.
func (p *Pool) GoCtx(goroutine func(ctx context.Context)) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		goroutine(p.ctx)
	}()
}

// Stop cancels the routines and waits for them.
func (p *Pool) Stop() {
	p.cancel()
	p.wg.Wait()
}

// Provider is the docker provider.
type Provider struct {
	Watch         bool
	SwarmMode     bool
	RefreshSecond time.Duration
	newClient     func() (Client, error)
}

func (p *Provider) buildConfiguration(containers []Container) *Configuration {
	cfg := &Configuration{Backends: map[string][]string{}, Frontends: map[string]string{}}
	for _, c := range containers {
		if c.Labels["traefik.enable"] == "false" {
			continue
		}
		cfg.Backends["backend-"+c.Name] = append(cfg.Backends["backend-"+c.Name], c.Address)
		cfg.Frontends["frontend-"+c.Name] = "Host:" + c.Name
	}
	return cfg
}

// Provide allows the docker provider to provide configurations to traefik
// using the given configuration channel.
func (p *Provider) Provide(configurationChan chan<- Message, pool *Pool) error {
	pool.GoCtx(func(routineCtx context.Context) {
		operation := func() error {
			ctx, cancel := context.WithCancel(routineCtx)
			defer cancel()

			dockerClient, err := p.newClient()
			if err != nil {
				return err
			}
			if _, err := dockerClient.ServerVersion(ctx); err != nil {
				return err
			}
			var dockerDataList []Container
			if p.SwarmMode {
				dockerDataList, err = dockerClient.ListServices(ctx)
			} else {
				dockerDataList, err = dockerClient.ListContainers(ctx)
			}
			if err != nil {
				return err
			}

			configuration := p.buildConfiguration(dockerDataList)
			select {
			case configurationChan <- Message{
				ProviderName:  "docker",
				Configuration: configuration,
			}:
			case <-ctx.Done():
				return nil
			}
			if p.Watch && p.SwarmMode {
				ticker := time.NewTicker(p.RefreshSecond)
				defer ticker.Stop()
				for {
					select {
					case <-ticker.C:
						services, err := dockerClient.ListServices(ctx)
						if err != nil {
							log.Printf("Failed to list services for docker, error %s", err)
							continue
						}
						if configuration := p.buildConfiguration(services); configuration != nil {
							select {
							case configurationChan <- Message{
								ProviderName:  "docker",
								Configuration: configuration,
							}:
							case <-ctx.Done():
								return nil
							}
						}
					case <-ctx.Done():
						return nil
					}
				}
			}
			return nil
		}
		for {
			err := operation()
			if err == nil || routineCtx.Err() != nil {
				return
			}
			log.Printf("Provider connection error %+v, retrying in 3s", err)
			select {
			case <-routineCtx.Done():
				return
			case <-time.After(3 * time.Second):
			}
		}
	})
	return nil
}

// Server receives the providers' configurations.
type Server struct {
	configurationChan chan Message
	stopChan          chan bool
	routinesPool      *Pool
	mu                sync.Mutex
	current           map[string]*Configuration
	listenDone        chan struct{}
}

// NewServer creates a server.
func NewServer() *Server {
	return &Server{
		configurationChan: make(chan Message, 100),
		stopChan:          make(chan bool),
		routinesPool:      NewPool(context.Background()),
		current:           make(map[string]*Configuration),
		listenDone:        make(chan struct{}),
	}
}

func (s *Server) listenProviders(stop chan bool) {
	defer close(s.listenDone)
	for {
		select {
		case <-stop:
			return
		case msg, ok := <-s.configurationChan:
			if !ok {
				return
			}
			if msg.Configuration == nil {
				continue
			}
			s.mu.Lock()
			s.current[msg.ProviderName] = msg.Configuration
			s.mu.Unlock()
		}
	}
}

// Start starts the provider and the listener.
func (s *Server) Start(p *Provider) error {
	if p == nil {
		return errors.New("no provider")
	}
	go s.listenProviders(s.stopChan)
	return p.Provide(s.configurationChan, s.routinesPool)
}

// Stop stops the listener, then the providers.
func (s *Server) Stop() {
	close(s.stopChan)
	<-s.listenDone
	s.routinesPool.Stop()
}
