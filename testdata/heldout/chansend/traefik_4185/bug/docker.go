// Package bug is a held-out kernel (issue 14): traefik's docker provider
// hands each configuration it builds to the server with a plain send on
// configurationChan; once the server has stopped listening for provider
// messages on shutdown, the provider's routine blocks on that send for
// ever and the routine pool's Stop, waiting for it, hangs the shutdown.
//
// Upstream: traefik/traefik#4185 ("Verify ctx when we send configuration message in docker provider")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Provide starts a routine in the server's pool with the pool's
// context. The routine's operation (retried with a back-off) lists the
// containers, sends the built configuration on configurationChan and, in
// watch mode for swarm, lists the services on every tick and sends the
// new configuration, returning when its context is done. The server's
// listenProviders goroutine is the only receiver: it selects on its stop
// channel and on configurationChan (which holds 100 messages). On
// shutdown the server closes stop (listenProviders returns) and then
// calls pool.Stop(), which cancels the routines' context and waits for
// them; a provider routine sending a configuration once the buffer is
// full and nobody listens is blocked on the send, never sees its
// context, and pool.Stop waits for ever. The PR says only "fix a
// goroutine leak that can stuck the provider shutdown"; the docker client
// is an interface, the label/template machinery is reduced to a
// buildConfiguration over the container names, and the container event
// stream of the non-swarm watch is left out (the swarm ticker loop has
// the same sends).
//
// Fix (traefik/traefik#4185): every send on configurationChan is a
// select that also returns when the routine's context is done.
package bug

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
	p.wg.Wait() // heldout:site
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
			configurationChan <- Message{ // heldout:site
				ProviderName:  "docker",
				Configuration: configuration,
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
							configurationChan <- Message{ // heldout:site
								ProviderName:  "docker",
								Configuration: configuration,
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
