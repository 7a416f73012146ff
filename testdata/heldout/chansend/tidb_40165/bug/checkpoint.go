// Package bug is a held-out kernel (issue 14): BR's checkpoint runner
// reports a flush error to the backup client by a plain send on an
// unbuffered errCh that only Append receives from, so when the error comes
// after the last range has been appended the checkpoint loop blocks on
// that send for ever and WaitForFinish, waiting for the loop, hangs the
// backup.
//
// Upstream: pingcap/tidb#40165 ("br: full backup in stuck when getting checkpoint")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: StartCheckpointRunner starts checkpointLoop, which collects ranges
// from appendCh, and a flush worker that writes the collected meta (and
// refreshes the checkpoint lock) when the loop hands it over on metaCh or
// lockCh. The worker reports a failed write on its own unbuffered errCh
// and returns; the loop passes any error on with `r.errCh <- err` and
// returns. Only Append selects on r.errCh. The backup client appends every
// range and then calls WaitForFinish, which closes appendCh and waits for
// the loop. In the issue the lock refresh failed ("can not find leader")
// after "Backup Ranges Completed": nothing calls Append any more, the loop
// is stuck on its send to r.errCh, and WaitForFinish's r.wg.Wait() never
// returns. The worker's send on its errCh has the same problem once the
// loop has left through ctx.Done(). The PR (pingcap/tidb#40166) says only
// "the sender of error channel is blocked when receiver is closed by other
// reason"; the encryption, checksum runner and TSO retries of
// br/pkg/checkpoint are left out, storage is an interface.
//
// Fix (pingcap/tidb#40166): r.errCh and the worker's errCh get a buffer of
// one; each goroutine sends at most one error before returning, so neither
// send waits for a receiver.
package bug

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"
)

const (
	checkpointDataDir  = "/checkpoints/data"
	checkpointLockPath = "/checkpoints/checkpoint.lock"
)

// ExternalStorage is the backup destination.
type ExternalStorage interface {
	WriteFile(ctx context.Context, name string, data []byte) error
	DeleteFile(ctx context.Context, name string) error
}

// Range is a backed-up key range.
type Range struct {
	StartKey, EndKey []byte
	Files            []string
}

// CheckpointMessage is one range finished by the backup client.
type CheckpointMessage struct {
	GroupKey string
	Group    *Range
}

// RangeGroups are the ranges finished under one group key.
type RangeGroups struct {
	GroupKey string   `json:"group-key"`
	Groups   []*Range `json:"groups"`
}

// CheckpointRunner records finished ranges in external storage.
type CheckpointRunner struct {
	lockID  uint64
	meta    map[string]*RangeGroups
	storage ExternalStorage

	appendCh chan *CheckpointMessage
	metaCh   chan map[string]*RangeGroups
	lockCh   chan struct{}
	errCh    chan error

	wg sync.WaitGroup
}

// StartCheckpointRunner starts the checkpoint loop.
func StartCheckpointRunner(ctx context.Context, storage ExternalStorage, lockID uint64, tickFlush, tickLock time.Duration) *CheckpointRunner {
	runner := &CheckpointRunner{
		lockID:  lockID,
		meta:    make(map[string]*RangeGroups),
		storage: storage,

		appendCh: make(chan *CheckpointMessage),
		metaCh:   make(chan map[string]*RangeGroups),
		lockCh:   make(chan struct{}),
		errCh:    make(chan error),
	}
	runner.startCheckpointLoop(ctx, tickFlush, tickLock)
	return runner
}

// Append records a finished range; it returns the loop's error, if any.
func (r *CheckpointRunner) Append(ctx context.Context, groupKey string, startKey, endKey []byte, files []string) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-r.errCh:
		return err
	case r.appendCh <- &CheckpointMessage{
		GroupKey: groupKey,
		Group:    &Range{StartKey: startKey, EndKey: endKey, Files: files},
	}:
		return nil
	}
}

// WaitForFinish flushes what is left and waits for the loop to exit.
// It cannot run in parallel with Append.
func (r *CheckpointRunner) WaitForFinish(ctx context.Context) {
	// can not append anymore
	close(r.appendCh)
	// wait the range flusher exit
	r.wg.Wait() // heldout:site
	// remove the checkpoint lock
	if err := r.storage.DeleteFile(ctx, checkpointLockPath); err != nil {
		log.Printf("failed to remove the checkpoint lock: %v", err)
	}
}

// flushMeta hands the collected meta to the flush worker.
func (r *CheckpointRunner) flushMeta(ctx context.Context, errCh chan error) error {
	meta := r.meta
	r.meta = make(map[string]*RangeGroups)
	select {
	case <-ctx.Done():
	case err := <-errCh:
		return err
	case r.metaCh <- meta:
	}
	return nil
}

// setLock asks the flush worker to refresh the lock.
func (r *CheckpointRunner) setLock(ctx context.Context, errCh chan error) error {
	select {
	case <-ctx.Done():
	case err := <-errCh:
		return err
	case r.lockCh <- struct{}{}:
	}
	return nil
}

// startCheckpointRunner starts the worker writing what the loop hands it.
func (r *CheckpointRunner) startCheckpointRunner(ctx context.Context, wg *sync.WaitGroup) chan error {
	errCh := make(chan error)
	wg.Add(1)
	flushWorker := func(ctx context.Context, errCh chan error) {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case meta, ok := <-r.metaCh:
				if !ok {
					return
				}
				if err := r.doFlush(ctx, meta); err != nil {
					errCh <- err // heldout:site
					return
				}
			case _, ok := <-r.lockCh:
				if !ok {
					return
				}
				if err := r.updateLock(ctx); err != nil {
					errCh <- fmt.Errorf("Failed to update checkpoint lock.: %w", err) // heldout:site
					return
				}
			}
		}
	}

	go flushWorker(ctx, errCh)
	return errCh
}

func (r *CheckpointRunner) startCheckpointLoop(ctx context.Context, tickFlush, tickLock time.Duration) {
	r.wg.Add(1)
	checkpointLoop := func(ctx context.Context) {
		defer r.wg.Done()
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var wg sync.WaitGroup
		errCh := r.startCheckpointRunner(cctx, &wg)
		flushTicker := time.NewTicker(tickFlush)
		defer flushTicker.Stop()
		lockTicker := time.NewTicker(tickLock)
		defer lockTicker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-lockTicker.C:
				if err := r.setLock(ctx, errCh); err != nil {
					r.errCh <- err // heldout:site
					return
				}
			case <-flushTicker.C:
				if err := r.flushMeta(ctx, errCh); err != nil {
					r.errCh <- err // heldout:site
					return
				}
			case msg, ok := <-r.appendCh:
				if !ok {
					if err := r.flushMeta(ctx, errCh); err != nil {
						r.errCh <- err // heldout:site
					}
					// close the channels to the flush worker
					// and wait for it to consume all the metas
					close(r.metaCh)
					close(r.lockCh)
					wg.Wait()
					return
				}
				groups, exist := r.meta[msg.GroupKey]
				if !exist {
					groups = &RangeGroups{GroupKey: msg.GroupKey}
					r.meta[msg.GroupKey] = groups
				}
				groups.Groups = append(groups.Groups, msg.Group)
			case err := <-errCh:
				// pass flush worker's error back
				r.errCh <- err // heldout:site
				return
			}
		}
	}

	go checkpointLoop(ctx)
}

// doFlush writes the meta to external storage.
func (r *CheckpointRunner) doFlush(ctx context.Context, meta map[string]*RangeGroups) error {
	if len(meta) == 0 {
		return nil
	}
	data, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return r.storage.WriteFile(ctx, fmt.Sprintf("%s/%d.cpt", checkpointDataDir, time.Now().UnixNano()), data)
}

// updateLock rewrites the lock file with a new expiry.
func (r *CheckpointRunner) updateLock(ctx context.Context) error {
	if r.lockID == 0 {
		return errors.New("no lock id")
	}
	data, err := json.Marshal(map[string]int64{
		"lock-id":   int64(r.lockID),
		"expire-at": time.Now().Add(5 * time.Minute).UnixMilli(),
	})
	if err != nil {
		return err
	}
	return r.storage.WriteFile(ctx, checkpointLockPath, data)
}

// backupRanges is the backup client: it appends every finished range and
// then waits for the checkpoint runner.
func backupRanges(ctx context.Context, r *CheckpointRunner, ranges []Range) error {
	for _, rg := range ranges {
		if err := r.Append(ctx, string(rg.StartKey), rg.StartKey, rg.EndKey, rg.Files); err != nil {
			return err
		}
	}
	r.WaitForFinish(ctx)
	return nil
}
