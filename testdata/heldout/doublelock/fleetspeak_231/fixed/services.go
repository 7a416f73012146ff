// Package fixed is the fixed version of doublelock/fleetspeak_231: the
// lookup and removal of the service move into removeService, which
// unlocks with defer, so RestartService's error path holds no lock.
package fixed

import (
	"context"
	"fmt"
	"sync"
)

const inboxSize = 100

// Message is a reduced Fleetspeak message.
type Message struct {
	ID          string
	ServiceName string
	Data        []byte
}

// ServiceConfig is a reduced client service configuration.
type ServiceConfig struct {
	Name    string
	Factory string
}

// Service is what a factory builds.
type Service interface {
	Start(sc *serviceData) error
	ProcessMessage(ctx context.Context, m *Message) error
	Stop() error
}

// Factory builds a Service from its configuration.
type Factory func(cfg *ServiceConfig) (Service, error)

// serviceConfiguration manages the services installed on a client.
type serviceConfiguration struct {
	services  map[string]*serviceData
	lock      sync.RWMutex // protects the structure of services
	factories map[string]Factory

	errMu sync.Mutex
	errs  []error
}

func newServiceConfiguration(factories map[string]Factory) *serviceConfiguration {
	return &serviceConfiguration{
		services:  make(map[string]*serviceData),
		factories: factories,
	}
}

func (c *serviceConfiguration) reportError(err error) {
	c.errMu.Lock()
	c.errs = append(c.errs, err)
	c.errMu.Unlock()
}

// ProcessMessage routes m to its destination service's inbox.
func (c *serviceConfiguration) ProcessMessage(ctx context.Context, m *Message) error {
	c.lock.RLock()
	target := c.services[m.ServiceName]
	c.lock.RUnlock()

	if target == nil {
		return fmt.Errorf("destination service not installed")
	}
	select {
	case target.inbox <- m:
		target.countLock.Lock()
		target.acceptCount++
		target.countLock.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func validateServiceName(sname string) error {
	if sname == "" || sname == "system" || sname == "client" {
		return fmt.Errorf("illegal service name [%v]", sname)
	}
	return nil
}

// InstallService builds, starts and registers a service.
func (c *serviceConfiguration) InstallService(cfg *ServiceConfig) error {
	if err := validateServiceName(cfg.Name); err != nil {
		return fmt.Errorf("can't install service: %v", err)
	}
	f := c.factories[cfg.Factory]
	if f == nil {
		return fmt.Errorf("factory not found: %q", cfg.Factory)
	}
	s, err := f(cfg)
	if err != nil {
		return err
	}
	d := &serviceData{
		config:        c,
		name:          cfg.Name,
		serviceConfig: cfg,
		service:       s,
		inbox:         make(chan *Message, inboxSize),
	}
	if err := d.start(); err != nil {
		return fmt.Errorf("unable to start service: %v", err)
	}
	d.working.Add(1)
	go func() {
		defer d.working.Done()
		d.processingLoop(context.Background())
	}()

	c.lock.Lock()
	old := c.services[cfg.Name]
	c.services[cfg.Name] = d
	c.lock.Unlock()

	if old != nil {
		old.stop()
	}
	return nil
}

func (c *serviceConfiguration) removeService(sname string) (*serviceData, error) {
	c.lock.Lock()
	defer c.lock.Unlock()
	srv := c.services[sname]
	if srv == nil {
		return nil, fmt.Errorf("failed to remove non-existent service: %v", sname)
	}
	delete(c.services, sname)
	return srv, nil
}

// RestartService stops a service and installs it again.
func (c *serviceConfiguration) RestartService(sname string) error {
	if err := validateServiceName(sname); err != nil {
		return fmt.Errorf("can't restart service: %v", err)
	}

	srv, err := c.removeService(sname)
	if err != nil {
		return err
	}

	srv.stop()

	if err := c.InstallService(srv.serviceConfig); err != nil {
		return fmt.Errorf("can't reinstall service '%s' on restart: %v", sname, err)
	}
	return nil
}

// Counts returns the accepted and processed message counts per service.
func (c *serviceConfiguration) Counts() (accepted, processed map[string]uint64) {
	am := make(map[string]uint64)
	pm := make(map[string]uint64)
	c.lock.RLock()
	defer c.lock.RUnlock()
	for _, sd := range c.services {
		sd.countLock.Lock()
		am[sd.name], pm[sd.name] = sd.acceptCount, sd.processedCount
		sd.countLock.Unlock()
	}
	return am, pm
}

// Stop stops every service.
func (c *serviceConfiguration) Stop() {
	c.lock.Lock()
	defer c.lock.Unlock()
	for _, sd := range c.services {
		sd.stop()
	}
	c.services = make(map[string]*serviceData)
}

// serviceData wraps one installed service.
type serviceData struct {
	config        *serviceConfiguration
	name          string
	serviceConfig *ServiceConfig
	working       sync.WaitGroup
	service       Service
	inbox         chan *Message

	countLock                   sync.Mutex
	acceptCount, processedCount uint64
}

// GetLocalInfo lists the installed services (the service context API).
func (d *serviceData) GetLocalInfo() []string {
	d.config.lock.RLock()
	defer d.config.lock.RUnlock()
	var ret []string
	for s := range d.config.services {
		ret = append(ret, s)
	}
	return ret
}

// processingLoop hands the inbox's messages to the service until the inbox
// is closed.
func (d *serviceData) processingLoop(ctx context.Context) {
	for m := range d.inbox {
		d.countLock.Lock()
		d.processedCount++
		d.countLock.Unlock()
		if err := d.service.ProcessMessage(ctx, m); err != nil {
			d.config.reportError(err)
		}
	}
}

func (d *serviceData) start() error { return d.service.Start(d) }

func (d *serviceData) stop() {
	close(d.inbox)
	d.working.Wait()
	d.service.Stop()
}

// noopService is a service that accepts every message.
type noopService struct{}

func (noopService) Start(*serviceData) error                       { return nil }
func (noopService) ProcessMessage(context.Context, *Message) error { return nil }
func (noopService) Stop() error                                    { return nil }

// restartUnknownThenDeliver is a restart request for a service the client
// does not have, followed by a message for an installed one.
func restartUnknownThenDeliver() {
	c := newServiceConfiguration(map[string]Factory{
		"noop": func(*ServiceConfig) (Service, error) { return noopService{}, nil },
	})
	c.InstallService(&ServiceConfig{Name: "echo", Factory: "noop"})

	c.RestartService("missing")
	c.ProcessMessage(context.Background(), &Message{ID: "1", ServiceName: "echo"})
	c.Stop()
}
