// Package bug is a held-out kernel (issue 14): when a Flow execution node
// restarts, it re-uploads the computation results it had not finished
// uploading, one goroutine per block under a WaitGroup; a goroutine that
// cannot reconstruct its result returns before reaching wg.Done, so
// RetryUpload's wg.Wait, and the node's startup with it, blocks for ever.
//
// Upstream: onflow/flow-go#3285 ("[Execution] Fixing improper use of WaitGroup in a goroutine for upload retry")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: BadgerRetryableUploaderWrapper.RetryUpload loads the IDs of blocks
// whose upload status is still false, and for each does wg.Add(1) and
// starts a goroutine that reconstructs the ComputationResult from the
// execution result, the execution data store, events, collections,
// transaction results and commits, uploads it and calls wg.Done() as its
// last statement. When reconstruction fails (the execution result or the
// execution data is missing) the goroutine logs and returns, skipping
// wg.Done. The PR: "wg.Done() should be called by a defer in a goroutine"
// and was tested by making reconstruction fail and rebooting the node.
// The storage interfaces, the async uploader and the manager are our
// reduction of engine/execution/ingestion/uploader; the shared retErr is
// kept as upstream had it.
//
// Fix: the goroutine defers wg.Done() as its first statement.
package bug

import (
	"errors"
	"log"
	"sync"
)

// Identifier is a block ID.
type Identifier [32]byte

// ExecutionResult is the stored result of executing a block.
type ExecutionResult struct {
	ExecutionDataID Identifier
}

// ComputationResult is what gets uploaded for a block.
type ComputationResult struct {
	BlockID       Identifier
	ExecutionData []byte
	Events        []string
}

// Uploader uploads computation results to cloud storage.
type Uploader interface {
	Upload(*ComputationResult) error
}

// ExecutionResults, ExecutionData, Events and UploadStatus are the stores
// reconstruction reads from.
type ExecutionResults interface {
	ByBlockID(Identifier) (*ExecutionResult, error)
}

type ExecutionData interface {
	Get(Identifier) ([]byte, error)
}

type Events interface {
	ByBlockID(Identifier) ([]string, error)
}

type UploadStatus interface {
	GetIDsByUploadStatus(uploaded bool) ([]Identifier, error)
	Upsert(Identifier, bool) error
}

// Metrics counts retried uploads.
type Metrics interface {
	ExecutionComputationResultUploadRetried()
}

// BadgerRetryableUploaderWrapper remembers which results were uploaded
// so that failed uploads can be retried after a restart.
type BadgerRetryableUploaderWrapper struct {
	uploader          Uploader
	execDataStore     ExecutionData
	metrics           Metrics
	results           ExecutionResults
	events            Events
	uploadStatusStore UploadStatus
}

// RetryUpload re-uploads every result not marked as uploaded.
func (b *BadgerRetryableUploaderWrapper) RetryUpload() error {
	blockIDs, retErr := b.uploadStatusStore.GetIDsByUploadStatus(false /* not uploaded */)
	if retErr != nil {
		log.Printf("failed to load the un-uploaded block IDs: %v", retErr)
		return retErr
	}

	var wg sync.WaitGroup
	for _, blockID := range blockIDs {
		wg.Add(1)
		go func(blockID Identifier) {
			retComputationResult, err := b.reconstructComputationResult(blockID)
			if err != nil {
				log.Printf("failed to reconstruct ComputationResult with BlockID %x: %v", blockID, err)
				return // heldout:site
			}

			// Do Upload
			if err := b.uploader.Upload(retComputationResult); err != nil {
				log.Printf("failed to re-upload ComputationResult with BlockID %x: %v", blockID, err)
				retErr = err
			}

			b.metrics.ExecutionComputationResultUploadRetried()
			wg.Done()
		}(blockID)
	}
	wg.Wait() // heldout:site

	// return latest occurred error
	return retErr
}

func (b *BadgerRetryableUploaderWrapper) reconstructComputationResult(blockID Identifier) (*ComputationResult, error) {
	executionResult, err := b.results.ByBlockID(blockID)
	if err != nil {
		return nil, err
	}

	executionData, err := b.execDataStore.Get(executionResult.ExecutionDataID)
	if executionData == nil || err != nil {
		if err == nil {
			err = errors.New("execution data not found")
		}
		return nil, err
	}

	events, err := b.events.ByBlockID(blockID)
	if err != nil {
		log.Printf("failed to retrieve events for BlockID %x: %v", blockID, err)
	}

	return &ComputationResult{BlockID: blockID, ExecutionData: executionData, Events: events}, nil
}

// Manager runs the node's uploaders.
type Manager struct {
	mu        sync.RWMutex
	enabled   bool
	uploaders []Uploader
}

// RetryUploads retries the uploads of every retryable uploader.
func (m *Manager) RetryUploads() (err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()

	if !m.enabled {
		return nil
	}

	for _, u := range m.uploaders {
		if r, ok := u.(*BadgerRetryableUploaderWrapper); ok {
			err = r.RetryUpload()
		}
	}
	return err
}

// Upload lets the wrapper stand in the manager's uploader list.
func (b *BadgerRetryableUploaderWrapper) Upload(cr *ComputationResult) error {
	if err := b.uploadStatusStore.Upsert(cr.BlockID, false); err != nil {
		log.Printf("failed to store upload status for %x: %v", cr.BlockID, err)
	}
	return b.uploader.Upload(cr)
}

// startIngestion is the execution node's ingestion engine start-up: it
// retries the uploads left over from before the restart.
func startIngestion(m *Manager) {
	if err := m.RetryUploads(); err != nil {
		log.Printf("failed to retry uploads: %v", err)
	}
}
