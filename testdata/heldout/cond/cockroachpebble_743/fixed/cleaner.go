// Package fixed is the fixed version of cond/cockroachpebble_743: the turn
// is handed on with Broadcast, so every waiter re-checks its own condition.
package fixed

import "sync"

// DB is the part of the database that schedules obsolete file deletion.
type DB struct {
	mu struct {
		sync.Mutex
		nextJobID int
		cleaner   struct {
			cond     sync.Cond
			cleaning bool
			disabled int
		}
		obsolete []string
	}
	deleteFile func(name string) error
}

// Open returns a DB deleting obsolete files with deleteFile.
func Open(deleteFile func(string) error) *DB {
	d := &DB{deleteFile: deleteFile}
	d.mu.cleaner.cond.L = &d.mu.Mutex
	return d
}

// disableFileDeletions waits for a running cleaning turn to end and keeps
// new ones from starting; d.mu must be held.
func (d *DB) disableFileDeletions() {
	d.mu.cleaner.disabled++
	for d.mu.cleaner.cleaning {
		d.mu.cleaner.cond.Wait()
	}
	d.mu.cleaner.cond.Broadcast()
}

// enableFileDeletions re-enables deletions and catches up on them; d.mu
// must be held.
func (d *DB) enableFileDeletions() {
	if d.mu.cleaner.disabled <= 0 || d.mu.cleaner.cleaning {
		panic("file deletion disablement invariant violated")
	}
	d.mu.cleaner.disabled--
	if d.mu.cleaner.disabled > 0 {
		return
	}
	jobID := d.mu.nextJobID
	d.mu.nextJobID++
	d.deleteObsoleteFiles(jobID)
}

// acquireCleaningTurn waits for a running turn and takes the next one,
// unless deletions are disabled; d.mu must be held.
func (d *DB) acquireCleaningTurn(waitForOngoing bool) bool {
	for d.mu.cleaner.cleaning && d.mu.cleaner.disabled == 0 && waitForOngoing {
		d.mu.cleaner.cond.Wait()
	}
	if d.mu.cleaner.cleaning {
		return false
	}
	if d.mu.cleaner.disabled > 0 {
		// Deletions are disabled; enableFileDeletions will catch up.
		return false
	}
	d.mu.cleaner.cleaning = true
	return true
}

// releaseCleaningTurn ends the turn; d.mu must be held.
func (d *DB) releaseCleaningTurn() {
	d.mu.cleaner.cleaning = false
	d.mu.cleaner.cond.Broadcast()
}

// deleteObsoleteFiles deletes the files no longer needed; d.mu must be
// held, and is dropped while files are deleted.
func (d *DB) deleteObsoleteFiles(jobID int) {
	if !d.acquireCleaningTurn(true) {
		return
	}
	d.doDeleteObsoleteFiles(jobID)
	d.releaseCleaningTurn()
}

func (d *DB) doDeleteObsoleteFiles(jobID int) {
	files := d.mu.obsolete
	d.mu.obsolete = nil

	d.mu.Unlock()
	defer d.mu.Lock()
	for _, f := range files {
		_ = d.deleteFile(f)
	}
}

// MarkObsolete records files a compaction made obsolete and cleans them.
func (d *DB) MarkObsolete(files ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.obsolete = append(d.mu.obsolete, files...)
	jobID := d.mu.nextJobID
	d.mu.nextJobID++
	d.deleteObsoleteFiles(jobID)
}

// Checkpoint copies the live files while deletions are disabled.
func (d *DB) Checkpoint(copyFiles func()) {
	d.mu.Lock()
	d.disableFileDeletions()
	d.mu.Unlock()

	copyFiles()

	d.mu.Lock()
	d.enableFileDeletions()
	d.mu.Unlock()
}
