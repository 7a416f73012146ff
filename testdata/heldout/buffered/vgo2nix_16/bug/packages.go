// Package bug is a held-out kernel (issue 14): a deps.nix generator feeds
// every module to a pool of prefetch workers through a jobs channel and
// only starts reading the results channel after it has queued them all;
// both channels hold 100, so with more than about 200 modules the workers
// fill the results buffer and block, stop taking jobs, and the main loop
// blocks for ever on its next job send.
//
// Upstream: nix-community/vgo2nix#16 ("vgo2nix hangs if the repository has more than a hundred dependency")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: getPackages makes `jobs := make(chan *modEntry, 100)` and
// `results := make(chan *PackageResult, 100)`, starts min(len(entries),
// numJobs) workers that range over jobs, run nix-prefetch-git and send a
// PackageResult on results, then loops `jobs <- entry` over all entries,
// closes jobs, and only then receives len(entries) results. The issue
// walks through it: "since we do not read the results until we send all
// the entries to the workers ... the main go-routine never reaches line
// 193 and it gets stuck forever" (packaging jenkins-x/jx, about 1000
// modules). `go list -m all` and nix-prefetch-git are reduced to a
// Prefetcher interface.
//
// Fix: both channels are made with a buffer of len(entries), so neither
// the job sends nor the result sends can fill up (and the workers also
// finish when getPackages returns early on an error).
package bug

import (
	"fmt"
	"math"
	"sort"
)

// Package is one deps.nix entry.
type Package struct {
	GoPackagePath string
	URL           string
	Rev           string
	Sha256        string
}

// PackageResult is a worker's answer for one module.
type PackageResult struct {
	Package *Package
	Error   error
}

type modEntry struct {
	importPath string
	rev        string
}

// Prefetcher resolves a module's repository and fetches its hash.
type Prefetcher interface {
	RepoRoot(importPath string) (root, repo string, err error)
	PrefetchGit(repo, rev string) (sha256 string, err error)
}

func getPackages(pf Prefetcher, entries []*modEntry, keepGoing bool, numJobs int, prevDeps map[string]*Package) ([]*Package, error) {
	processEntry := func(entry *modEntry) (*Package, error) {
		wrapError := func(err error) error {
			return fmt.Errorf("Error processing import path %q: %v", entry.importPath, err)
		}
		root, repo, err := pf.RepoRoot(entry.importPath)
		if err != nil {
			return nil, wrapError(err)
		}
		if prevPkg, ok := prevDeps[root]; ok && prevPkg.Rev == entry.rev {
			return prevPkg, nil
		}
		sha256, err := pf.PrefetchGit(repo, entry.rev)
		if err != nil {
			return nil, wrapError(err)
		}
		return &Package{GoPackagePath: root, URL: repo, Rev: entry.rev, Sha256: sha256}, nil
	}

	worker := func(entries <-chan *modEntry, results chan<- *PackageResult) {
		for entry := range entries {
			pkg, err := processEntry(entry)
			results <- &PackageResult{Package: pkg, Error: err} // heldout:site
		}
	}

	jobs := make(chan *modEntry, 100)         // heldout:site
	results := make(chan *PackageResult, 100) // heldout:site
	for w := 1; w <= int(math.Min(float64(len(entries)), float64(numJobs))); w++ {
		go worker(jobs, results)
	}

	for _, entry := range entries {
		jobs <- entry // heldout:site
	}
	close(jobs)

	pkgsMap := make(map[string]*Package)
	for j := 1; j <= len(entries); j++ {
		result := <-results
		if result.Error != nil {
			if !keepGoing {
				return nil, result.Error
			}
			fmt.Printf("Encountered error: %v\n", result.Error)
			continue
		}
		pkgsMap[result.Package.GoPackagePath] = result.Package
	}

	// Make output order stable
	keys := make([]string, 0, len(pkgsMap))
	for k := range pkgsMap {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	packages := make([]*Package, 0, len(keys))
	for _, k := range keys {
		packages = append(packages, pkgsMap[k])
	}
	return packages, nil
}

// GetPackages resolves every module of go.mod.
func GetPackages(pf Prefetcher, modules map[string]string, keepGoing bool, numJobs int) ([]*Package, error) {
	entries := make([]*modEntry, 0, len(modules))
	for path, rev := range modules {
		entries = append(entries, &modEntry{importPath: path, rev: rev})
	}
	return getPackages(pf, entries, keepGoing, numJobs, nil)
}
