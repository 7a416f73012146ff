// Fixed twin of recvaccessor: must stay silent. Variant of chanrecv/hystrix_7 (M1+M2: the command is returned and the
// caller waits on it through an accessor method). Blocks: run succeeds,
// nothing sends on or closes errCh; the caller's receive waits for ever.
package recvaccessorfixed

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
		err := run()
		cmd.mu.Lock()
		defer cmd.mu.Unlock()
		if !cmd.reported {
			cmd.reported = true
			cmd.errCh <- err
		}
		close(cmd.errCh)
	}()
	return cmd
}

func CheckRemote(ping func() error) error {
	cmd := Go(ping)
	return <-cmd.Errors()
}
