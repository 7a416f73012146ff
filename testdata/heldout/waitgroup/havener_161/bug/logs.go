// Package bug is a held-out kernel (issue 14): a command that fans out one
// goroutine per pod and waits on a WaitGroup, where a goroutine that hits
// an error returns before calling Done, so the command hangs in Wait.
//
// Upstream: homeport/havener#161 ("Make sure wait group receives done")
// Round: 5
//
// Bug: RetrieveLogs adds one to the WaitGroup per pod and starts a
// goroutine that downloads the pod's logs, calling wg.Done at the end of
// the happy path. When the download fails the goroutine sends the error
// to the error collector and returns early without Done, so wg.Wait never
// returns. The PR says Done is now deferred "so that command does not
// block in error case"; the pod and download types are our reduction.
//
// Fix: the goroutine defers wg.Done as its first statement.
package bug

import (
	"fmt"
	"sync"
)

// Pod names a pod to fetch logs from.
type Pod struct {
	Namespace, Name string
}

// Client downloads one pod's logs.
type Client interface {
	PodLogs(p Pod) ([]byte, error)
}

// RetrieveLogs downloads the logs of every pod in parallel.
func RetrieveLogs(client Client, pods []Pod, store func(Pod, []byte)) []error {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errors []error
	)
	for _, pod := range pods {
		wg.Add(1)
		go func(p Pod) {
			data, err := client.PodLogs(p)
			if err != nil {
				mu.Lock()
				errors = append(errors, fmt.Errorf("pod %s/%s: %w", p.Namespace, p.Name, err))
				mu.Unlock()
				return // heldout:site
			}
			store(p, data)
			wg.Done()
		}(pod)
	}
	wg.Wait() // heldout:site
	return errors
}
