package real

// afex/hystrix-go#7: Go ran the command in a goroutine and returned its error
// channel, but the goroutine sent on it only when the command failed; a
// caller that just waited for the error ("err := <-errs") hung forever after
// a success. Fix: the goroutine closes the channel when the command is done.
func hystrixGo(run func() error) chan error {
	errs := make(chan error, 1)
	go func() {
		if err := run(); err != nil {
			errs <- err
			return
		}
	}()
	return errs
}

func hystrixCaller() error {
	return <-hystrixGo(work) // want `hystrixGo returns a channel its goroutine sends on or closes only on some paths`
}

func hystrixGoFixed(run func() error) chan error {
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		if err := run(); err != nil {
			errs <- err
			return
		}
	}()
	return errs
}

func hystrixCallerFixed() error {
	return <-hystrixGoFixed(work)
}

// The same with a plain error channel and a check at the call.
func startWork(xs []int) <-chan error {
	errc := make(chan error)
	go func() {
		for range xs {
			if err := work(); err != nil {
				errc <- err
				return
			}
		}
	}()
	return errc
}

func startWorkCaller(xs []int) error {
	if err := <-startWork(xs); err != nil { // want `startWork returns a channel its goroutine sends on or closes only on some paths`
		return err
	}
	return nil
}

// Look-alikes: the success path sends nil; the caller selects with another
// case; the caller ranges; the goroutine closes after sending.
func startWorkNil(xs []int) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for range xs {
			if err := work(); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	return errc
}

func startWorkNilCaller(xs []int) error { return <-startWorkNil(xs) }

func startWorkSelect(xs []int) <-chan error {
	errc := make(chan error, 1)
	go func() {
		if err := work(); err != nil {
			errc <- err
		}
	}()
	return errc
}

func startWorkSelectCaller(xs []int, done <-chan struct{}) error {
	select {
	case err := <-startWorkSelect(xs):
		return err
	case <-done:
		return nil
	}
}

func startWorkClose() <-chan error {
	errc := make(chan error, 1)
	go func() {
		if err := work(); err != nil {
			errc <- err
		}
		close(errc)
	}()
	return errc
}

func startWorkCloseCaller() error { return <-startWorkClose() }
