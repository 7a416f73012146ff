package stuck

import "sync"

// A select on another channel the package makes, with no case on the
// channel checked, decides the paths by that channel's state (a value is
// there or not), which the checker does not follow: it gives up.

func loadOne(n string) (int, error) { return len(n), nil }

// After wg.Wait every worker has sent an error or a value: when none
// failed, every value is there.
func loadChecked(names []string) ([]int, error) {
	errCh := make(chan error, len(names))
	vals := make(chan int, len(names))
	var wg sync.WaitGroup
	wg.Add(len(names))
	for _, n := range names {
		go func() {
			defer wg.Done()
			v, err := loadOne(n)
			if err != nil {
				errCh <- err
				return
			}
			vals <- v
		}()
	}
	wg.Wait()
	select {
	case err := <-errCh:
		return nil, err
	default:
	}
	var out []int
	for range names {
		out = append(out, <-vals)
	}
	return out, nil
}

// The same check kept in a variable, the worker sending from an if/else.
func loadCheckedLoop(names []string) ([]int, error) {
	errCh := make(chan error, len(names))
	vals := make(chan int, len(names))
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := loadOne(n); err != nil {
				errCh <- err
			} else {
				vals <- v
			}
		}()
	}
	wg.Wait()
	var err error
	select {
	case err = <-errCh:
	default:
	}
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(names))
	for range names {
		out = append(out, <-vals)
	}
	return out, nil
}

// The check in a collecting goroutine (the channel through a free
// variable).
func loadAsync(names []string, done func([]int, error)) {
	errCh := make(chan error, len(names))
	vals := make(chan int, len(names))
	var wg sync.WaitGroup
	wg.Add(len(names))
	for _, n := range names {
		go func() {
			defer wg.Done()
			v, err := loadOne(n)
			if err != nil {
				errCh <- err
				return
			}
			vals <- v
		}()
	}
	go func() {
		wg.Wait()
		select {
		case err := <-errCh:
			done(nil, err)
			return
		default:
		}
		var out []int
		for range names {
			out = append(out, <-vals)
		}
		done(out, nil)
	}()
}

// Look-alike: no error channel; a failed worker sends no value (countrecv
// reports it, so the checker does not report it again).
func loadNoCheck(names []string) []int {
	vals := make(chan int, len(names))
	for _, n := range names {
		go func() {
			v, err := loadOne(n)
			if err != nil {
				return
			}
			vals <- v
		}()
	}
	var out []int
	for range names {
		out = append(out, <-vals) // want `this loop receives one value per goroutine`
	}
	return out
}
