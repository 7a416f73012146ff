// Package fixed is the fixed version of waitgroup/flowgo_3285: each
// retry goroutine defers wg.Done, so a failed reconstruction still
// releases RetryUpload's Wait.
package fixed

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
			defer wg.Done()

			retComputationResult, err := b.reconstructComputationResult(blockID)
			if err != nil {
				log.Printf("failed to reconstruct ComputationResult with BlockID %x: %v", blockID, err)
				return
			}

			// Do Upload
			if err := b.uploader.Upload(retComputationResult); err != nil {
				log.Printf("failed to re-upload ComputationResult with BlockID %x: %v", blockID, err)
				retErr = err
			}

			b.metrics.ExecutionComputationResultUploadRetried()
		}(blockID)
	}
	wg.Wait()

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
