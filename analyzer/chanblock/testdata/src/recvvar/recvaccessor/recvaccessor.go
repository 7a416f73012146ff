// Variant of chanrecv/hystrix_7 (M1+M2: the command is returned and the
// caller waits on it through an accessor method). Blocks: run succeeds,
// nothing sends on or closes errCh; the caller's receive waits for ever.
package recvaccessor

import "sync"

type Command struct {
	mu       sync.Mutex
	errCh    chan error
	reported bool
}

func (c *Command) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reported {
		return
	}
	c.reported = true
	c.errCh <- err
}

func (c *Command) Errors() <-chan error { return c.errCh }

func Go(run func() error) *Command {
	cmd := &Command{errCh: make(chan error, 1)}
	go func() {
		if err := run(); err != nil {
			cmd.fail(err)
		}
	}()
	return cmd
}

func CheckRemote(ping func() error) error {
	cmd := Go(ping)
	return <-cmd.Errors() // want `CheckRemote waits here for field errCh of Command, which only fail`
}
