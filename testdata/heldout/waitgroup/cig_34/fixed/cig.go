// Package fixed is the fixed version of waitgroup/cig_34: Check defers
// wg.Done(), so its early returns count too.
package fixed

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
	defer wg.Done()
	status, err := r.Run(r.Path, "status", "--porcelain")
	if err != nil {
		output <- fmt.Sprintf("%s: %v", r.Path, err)
		return
	}
	ahead, err := r.Run(r.Path, "rev-list", "@{u}..HEAD", "--count")
	if err != nil {
		output <- fmt.Sprintf("%s: %v", r.Path, err)
		return
	}
	changes := len(strings.Fields(status))
	if changes > 0 || strings.TrimSpace(ahead) != "0" {
		output <- fmt.Sprintf("%s: %d changes, %s to push", filepath.Base(r.Path), changes, strings.TrimSpace(ahead))
	}
}

// CheckAll checks every repository and prints the findings.
func CheckAll(repos []Repo, print func(string)) {
	var wg sync.WaitGroup
	output := make(chan string, len(repos)*2)
	for _, repo := range repos {
		wg.Add(1)
		go repo.Check(output, &wg)
	}
	wg.Wait()
	close(output)
	for line := range output {
		print(line)
	}
}
