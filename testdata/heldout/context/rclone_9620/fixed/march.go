// Package fixed is the fixed version of context/rclone_9620: Run closes a
// done channel once the traversal is over, and the janitor returns on it
// when the march context is never cancelled.
package fixed

import (
	"context"
	"fmt"
	"path"
	"sync"
)

// DirEntry is a listed file or directory.
type DirEntry interface {
	Remote() string
	IsDir() bool
}

// Lister lists one directory of a remote.
type Lister interface {
	List(ctx context.Context, dir string) ([]DirEntry, error)
}

// Marcher is called on each entry found.
type Marcher interface {
	// SrcOnly is called for an entry found only in the source.
	SrcOnly(src DirEntry) (recurse bool)
}

// March holds the data used to traverse a tree, calling Callback for
// each entry.
type March struct {
	Ctx      context.Context // context for background goroutines
	Fsrc     Lister
	Dir      string
	Checkers int
	Callback Marcher
}

// listDirJob describes a directory listing that needs to be done.
type listDirJob struct {
	srcRemote string
	srcDepth  int
}

// processJob lists a directory, calls back on each entry and returns the
// sub-directory jobs.
func (m *March) processJob(job listDirJob) ([]listDirJob, error) {
	entries, err := m.Fsrc.List(m.Ctx, job.srcRemote)
	if err != nil {
		return nil, err
	}
	var jobs []listDirJob
	for _, entry := range entries {
		if m.Callback.SrcOnly(entry) && entry.IsDir() && job.srcDepth > 0 {
			jobs = append(jobs, listDirJob{
				srcRemote: path.Join(job.srcRemote, path.Base(entry.Remote())),
				srcDepth:  job.srcDepth - 1,
			})
		}
	}
	return jobs, nil
}

// Run starts the matching process off.
func (m *March) Run(ctx context.Context, maxDepth int) error {
	var mu sync.Mutex // protects the vars below
	var jobError error
	var errCount int

	var wg sync.WaitGroup         // sync closing of go routines
	var traversing sync.WaitGroup // running directory traversals
	checkers := m.Checkers
	in := make(chan listDirJob, checkers)
	for i := 0; i < checkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-m.Ctx.Done():
					return
				case job, ok := <-in:
					if !ok {
						return
					}
					jobs, err := m.processJob(job)
					if err != nil {
						mu.Lock()
						if jobError == nil {
							jobError = err
						}
						errCount++
						mu.Unlock()
					}
					if len(jobs) > 0 {
						traversing.Add(len(jobs))
						go func() {
							// send the new jobs off for traversal
							for _, newJob := range jobs {
								select {
								case <-m.Ctx.Done():
									// discard job if finishing
									traversing.Done()
								case in <- newJob:
								}
							}
						}()
					}
					traversing.Done()
				}
			}
		}()
	}

	// Start the process
	traversing.Add(1)
	in <- listDirJob{srcRemote: m.Dir, srcDepth: maxDepth - 1}
	// Discard the remaining jobs on cancellation to unblock the senders.
	done := make(chan struct{})
	go func() {
		select {
		case <-m.Ctx.Done():
			for range in {
				traversing.Done()
			}
		case <-done:
		}
	}()
	traversing.Wait()
	close(done)
	close(in)
	wg.Wait()

	if errCount > 1 {
		return fmt.Errorf("march failed with %d error(s): first error: %w", errCount, jobError)
	}
	return jobError
}

// Job is an rc job.
type Job struct {
	ID     int64
	mu     sync.Mutex
	Error  string
	Done   bool
	cancel context.CancelFunc
}

// Stop is job/stop: it cancels the job's context.
func (job *Job) Stop() {
	job.cancel()
}

// Jobs is the rc job registry.
type Jobs struct {
	mu   sync.Mutex
	jobs map[int64]*Job
	next int64
}

// NewJob starts fn as an asynchronous job. Its context is cancelled only
// by Stop; a job that finishes keeps it for ever.
func (jobs *Jobs) NewJob(fn func(ctx context.Context) error) *Job {
	ctx, cancel := context.WithCancel(context.Background())
	jobs.mu.Lock()
	jobs.next++
	job := &Job{ID: jobs.next, cancel: cancel}
	if jobs.jobs == nil {
		jobs.jobs = make(map[int64]*Job)
	}
	jobs.jobs[job.ID] = job
	jobs.mu.Unlock()
	go func() {
		err := fn(ctx)
		job.mu.Lock()
		defer job.mu.Unlock()
		job.Done = true
		if err != nil {
			job.Error = err.Error()
		}
	}()
	return job
}

// syncJob is an async sync/bisync: it marches src under the job context.
func syncJob(jobs *Jobs, src Lister, dir string, checkers int, cb Marcher) *Job {
	return jobs.NewJob(func(ctx context.Context) error {
		m := &March{Ctx: ctx, Fsrc: src, Dir: dir, Checkers: checkers, Callback: cb}
		return m.Run(ctx, 100)
	})
}
