package real

import (
	"fmt"

	"golang.org/x/sync/errgroup"
)

// The never-returning loop started with errgroup's Go (ours): Wait waits
// for every function the group started to return.
func errgroupNoExit(quit chan struct{}, in chan int) error {
	var g errgroup.Group
	g.Go(func() error {
		for {
			select {
			case <-quit:
				break
			case v := <-in:
				fmt.Println(v)
			}
		}
	})
	close(quit)
	return g.Wait() // want `Wait waits for the function started with Go at line \d+, but errgroupNoExit\$1 never returns`
}

func errgroupNoExitFixed(quit chan struct{}, in chan int) error {
	var g errgroup.Group
	g.Go(func() error {
		for {
			select {
			case <-quit:
				return nil
			case v := <-in:
				fmt.Println(v)
			}
		}
	})
	close(quit)
	return g.Wait()
}
