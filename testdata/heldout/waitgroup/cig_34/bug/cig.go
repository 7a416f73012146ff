// Package bug is a held-out kernel (issue 14): a repository check that
// returns early on an error without marking its WaitGroup done.
//
// Upstream: stevenjack/cig#34 ("defer wg.Done()")
// Round: 3
//
// Bug: cig checks every git repository under the configured roots
// concurrently: the loop adds one to the WaitGroup per repository and runs
// repo.Check in a goroutine, then waits. Check calls wg.Done() only at the
// end of its happy path; when a git command fails it returns early ("bombing
// out"), the count never reaches zero, and cig hangs in wg.Wait(). The git
// calls are reduced to a command-runner function field; the output channel
// and the loop are our reduction of the app's main loop.
//
// Fix: Check defers wg.Done() at its top.
package bug

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
)

// Runner runs a git command in dir and returns its output.
type Runner func(dir string, args ...string) (string, error)

// Repo is one repository found under a root.
type Repo struct {
	Path string
	Run  Runner
}

// Check reports the repository's pending changes on output.
func (r Repo) Check(output chan<- string, wg *sync.WaitGroup) {
	status, err := r.Run(r.Path, "status", "--porcelain")
	if err != nil {
		output <- fmt.Sprintf("%s: %v", r.Path, err)
		return // heldout:site
	}
	ahead, err := r.Run(r.Path, "rev-list", "@{u}..HEAD", "--count")
	if err != nil {
		output <- fmt.Sprintf("%s: %v", r.Path, err)
		return // heldout:site
	}
	changes := len(strings.Fields(status))
	if changes > 0 || strings.TrimSpace(ahead) != "0" {
		output <- fmt.Sprintf("%s: %d changes, %s to push", filepath.Base(r.Path), changes, strings.TrimSpace(ahead))
	}
	wg.Done()
}

// CheckAll checks every repository and prints the findings.
func CheckAll(repos []Repo, print func(string)) {
	var wg sync.WaitGroup
	output := make(chan string, len(repos)*2)
	for _, repo := range repos {
		wg.Add(1)
		go repo.Check(output, &wg)
	}
	wg.Wait() // heldout:site
	close(output)
	for line := range output {
		print(line)
	}
}
