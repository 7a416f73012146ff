// Package fixed is the fixed version of waitgroup/havener_161: each
// goroutine defers Done, so an error no longer leaves Wait waiting.
package fixed

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
			defer wg.Done()
			data, err := client.PodLogs(p)
			if err != nil {
				mu.Lock()
				errors = append(errors, fmt.Errorf("pod %s/%s: %w", p.Namespace, p.Name, err))
				mu.Unlock()
				return
			}
			store(p, data)
		}(pod)
	}
	wg.Wait()
	return errors
}
