// Package bug is a held-out kernel (issue 14): March.Run starts a janitor
// goroutine whose only way out is the march context's Done channel; an
// asynchronous rc job runs its march under a context that is cancelled
// only by job/stop, so after every march that finishes normally the
// janitor waits on <-m.Ctx.Done() for ever, pinning the march and its
// listings.
//
// Upstream: rclone/rclone#9620 ("Goroutine leak in fs/march: every completed async rc sync/bisync strands a janitor goroutine that pins the run's listings")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Run starts ci.Checkers checkers reading listDirJobs from the
// buffered in channel; each processes a job, hands the sub-directory jobs
// it found to a goroutine that sends them back on in (or discards them
// when m.Ctx is done), and marks its job done on the traversing
// WaitGroup. Run sends the first job, starts the janitor, which waits for
// m.Ctx to be cancelled and then drains in so that traversing.Wait cannot
// hang on jobs no checker will take, waits for traversing, closes in and
// waits for the checkers. A march that completes never cancels m.Ctx; the
// rc job layer gives an _async job a context made from
// context.Background() whose cancel is kept for job/stop, so nothing ever
// closes that Done channel and one janitor per run is left behind (7.9 GB
// after 35 hours in the report). The listing and matching of two
// directory trees (processJob, matchListings) are reduced to a lister
// interface returning sub-directories and the Marcher callback; the rc
// job registry is reduced to what starts and stops a job.
//
// Fix (rclone/rclone#9623): Run makes a done channel, closes it after
// traversing.Wait(), and the janitor selects on m.Ctx.Done() and done,
// draining in only in the first case, so it returns on normal completion
// as well as on cancellation.
package bug

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
	go func() {
		// when the context is cancelled discard the remaining jobs
		<-m.Ctx.Done() // heldout:site
		for range in {
			traversing.Done()
		}
	}()
	traversing.Wait()
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
	ctx, cancel := context.WithCancel(context.Background()) // heldout:site
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
