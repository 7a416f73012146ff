// Package bug is a held-out kernel (issue 14): a storage engine's obsolete
// file cleaner, whose turn is handed on with Cond.Signal while goroutines
// waiting for different conditions share the one cond, so the single wake-up
// can go to a cleaner that gives up, and a checkpoint waiting for the turn
// to end sleeps for ever.
//
// Upstream: cockroachdb/pebble#743 ("During heavy write the checkpoint may hang forever on cond wait")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: deleteObsoleteFiles runs one cleaning turn at a time: a cleaner waits
// on d.mu.cleaner.cond while another cleans and file deletions are enabled;
// Checkpoint's disableFileDeletions bumps disabled and waits on the same
// cond until no turn is running. releaseCleaningTurn clears cleaning and
// calls Signal, which wakes one waiter. If it wakes a cleaner, that cleaner
// sees deletions disabled and returns without a turn and without passing
// the wake-up on, and the checkpoint, whose condition (no turn running) now
// holds, is never woken. disableFileDeletions also passed its own wake-up
// on with Signal, reaching at most one of the other waiters.
//
// Fix: both use Broadcast (the maintainer's diff in the thread), so every
// waiter re-checks its own condition. File listing and deletion are reduced
// to a callback run with d.mu dropped, as doDeleteObsoleteFiles does.
package bug

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
		d.mu.cleaner.cond.Wait() // heldout:site
	}
	d.mu.cleaner.cond.Signal() // heldout:site
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
	d.mu.cleaner.cond.Signal() // heldout:site
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
