package stuckclosure

// Look-alikes the checker must leave alone: the variable may hold
// another literal, the factory may return another function, and a step
// called twice by one goroutine sends twice.

// chooseStep may run a step that sends on every path: the literal in the
// variable is not known.
func chooseStep(name string, retry bool) string {
	res := make(chan string)
	step := func() {
		addr, err := query(name)
		if err != nil {
			return
		}
		res <- addr
	}
	if retry {
		step = func() {
			addr, _ := query(name)
			res <- addr
		}
	}
	go func() { step() }()
	return <-res
}

// pick returns either of two workers; only one of them may skip the send.
func (c *client) pick(res chan<- string, strict bool) func() {
	if strict {
		return func() {
			addr, err := query(c.name)
			if err != nil {
				return
			}
			res <- addr
		}
	}
	return func() { res <- c.name }
}

// GetPicked runs whichever worker pick returns.
func (c *client) GetPicked(strict bool) string {
	res := make(chan string, 1)
	go c.pick(res, strict)()
	return <-res
}

// twice calls its step twice in one goroutine: two sends, two receives.
func twice(a, b string) (string, string) {
	res := make(chan string)
	send := func(s string) { res <- s }
	go func() {
		send(a)
		send(b)
	}()
	return <-res, <-res
}
