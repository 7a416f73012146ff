package real

import (
	"sync"

	"golang.org/x/sync/errgroup"
)

func verifyPath(p string) (string, error) { return p, nil }

// impiVerify's deadlock (pavius/impi#13, reduced in queues.go) written
// with the WaitGroup.Go and errgroup APIs (ours): the group counts each
// function until it returns, the functions send on an unbuffered channel,
// and the starter receives only after Wait.
func groupVerify(paths []string) []string {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() {
			results <- p // want `this function, started with the group's Go at line \d+, sends on an unbuffered channel that groupVerify receives from only after the group's Wait \(line \d+\)`
		})
	}
	wg.Wait()
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

func groupVerifyFixed(paths []string) []string {
	results := make(chan string)
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Go(func() {
			results <- p
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out
}

func errgroupVerify(paths []string) ([]string, error) {
	results := make(chan string, 8)
	var g errgroup.Group
	for _, p := range paths {
		g.Go(func() error {
			r, err := verifyPath(p)
			if err != nil {
				return err
			}
			results <- r // want `this function, started with the group's Go at line \d+, sends on a channel with a buffer of 8, started in a loop no constant bounds, that errgroupVerify receives from only after the group's Wait`
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out, nil
}

func errgroupVerifyFixed(paths []string) ([]string, error) {
	results := make(chan string, len(paths))
	var g errgroup.Group
	for _, p := range paths {
		g.Go(func() error {
			r, err := verifyPath(p)
			if err != nil {
				return err
			}
			results <- r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	close(results)
	var out []string
	for r := range results {
		out = append(out, r)
	}
	return out, nil
}
