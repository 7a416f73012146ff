// Package fixed is the fixed version of buffered/vgo2nix_16: the jobs and
// results channels hold every module, so the job sends and the workers'
// result sends never wait for the other side.
package fixed

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
			results <- &PackageResult{Package: pkg, Error: err}
		}
	}

	jobs := make(chan *modEntry, len(entries))
	results := make(chan *PackageResult, len(entries))
	for w := 1; w <= int(math.Min(float64(len(entries)), float64(numJobs))); w++ {
		go worker(jobs, results)
	}

	for _, entry := range entries {
		jobs <- entry
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
