// Variant of chanrecv/kata_2087 (M2: the waiter reaches exitCh through an
// exported receive-only accessor). Blocks: StartContainer fails, Start
// returns before the reaper goroutine is started; Wait's receive from
// ExitCh() waits for ever.
package startaccessor

import "sync"

type Sandbox interface {
	StartContainer(id string) error
	WaitProcess(id string) (int32, error)
}

type Container struct {
	id     string
	exitCh chan uint32
}

func NewContainer(id string) *Container {
	return &Container{id: id, exitCh: make(chan uint32, 1)}
}

func (c *Container) ExitCh() <-chan uint32 { return c.exitCh }

type Service struct {
	mu      sync.Mutex
	sandbox Sandbox
}

func (s *Service) Start(c *Container) error {
	if err := s.sandbox.StartContainer(c.id); err != nil {
		return err
	}
	go func() {
		ret, err := s.sandbox.WaitProcess(c.id)
		if err != nil {
			ret = 255
		}
		c.exitCh <- uint32(ret)
	}()
	return nil
}

func (s *Service) Wait(c *Container) uint32 {
	return <-c.ExitCh() // want `this receive waits on field exitCh of Container, made at line \d+; only the goroutine Start starts at line \d+ closes or sends on it, but Start returns the error at line \d+ first`
}
