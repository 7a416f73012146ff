// Package bug is a held-out kernel (issue 14): marble's CSV ingestion job
// processes every pending upload log in its own goroutine, each sending
// its error on uploadErrorChan, and waits on the WaitGroup before reading
// the channel; the channel holds one error, so when two uploads fail the
// second sender blocks for ever and so does waitGroup.Wait().
//
// Upstream: checkmarble/marble-backend#289 ("Zoe/fix channel buffering issue")
// Round: 16
//
// Bug: IngestDataFromCsv lists the pending upload logs, then for each one
// does waitGroup.Add(1) and `go startProcessUploadLog(uploadLog)`, whose
// deferred Done runs only after `uploadErrorChan <- err`; only after
// waitGroup.Wait() does it close the channel and read the first error.
// With more failing uploads than the channel's buffer, a sender cannot
// finish, its Done never runs, and the cron job hangs. Our reduction:
// the repositories and executor become small interfaces, the per-log
// logger is dropped; the channel's size before the PR (one) is our
// reading of the PR's title and fix.
//
// Fix: "raising the size of the channel to the max number of possible
// errors": `make(chan error, len(pendingUploadLogs))`, with the comment
// "The channel needs to be big enough to store any possible errors to
// avoid deadlock due to the presence of a waitGroup".
package bug

import (
	"context"
	"fmt"
	"sync"
)

// UploadStatus is the state of an upload log.
type UploadStatus string

const (
	// UploadPending is an upload waiting to be ingested.
	UploadPending UploadStatus = "pending"
	// UploadProcessing is an upload being ingested.
	UploadProcessing UploadStatus = "processing"
	// UploadSuccess is an ingested upload.
	UploadSuccess UploadStatus = "success"
	// UploadFailure is an upload that could not be ingested.
	UploadFailure UploadStatus = "failure"
)

// UploadLog is one uploaded CSV file.
type UploadLog struct {
	ID             string
	OrganizationID string
	FileName       string
	TableName      string
}

// uploadLogRepository stores upload logs.
type uploadLogRepository interface {
	AllUploadLogsByStatus(ctx context.Context, status UploadStatus) ([]UploadLog, error)
	UpdateUploadLogStatus(ctx context.Context, id string, from, to UploadStatus) (bool, error)
}

// ingester reads a CSV file from the bucket and inserts its rows.
type ingester interface {
	IngestFile(ctx context.Context, organizationID, tableName, fileName string) (int, error)
}

// IngestionUseCase ingests uploaded CSV files.
type IngestionUseCase struct {
	uploadLogRepository uploadLogRepository
	ingester            ingester
}

// IngestDataFromCsv ingests every pending upload log.
func (usecase *IngestionUseCase) IngestDataFromCsv(ctx context.Context) error {
	pendingUploadLogs, err := usecase.uploadLogRepository.AllUploadLogsByStatus(ctx, UploadPending)
	if err != nil {
		return err
	}

	var waitGroup sync.WaitGroup
	uploadErrorChan := make(chan error, 1) // heldout:site

	startProcessUploadLog := func(uploadLog UploadLog) {
		defer waitGroup.Done()
		if err := usecase.processUploadLog(ctx, uploadLog); err != nil {
			uploadErrorChan <- err // heldout:site
		}
	}

	for _, uploadLog := range pendingUploadLogs {
		waitGroup.Add(1)
		go startProcessUploadLog(uploadLog)
	}

	waitGroup.Wait() // heldout:site
	close(uploadErrorChan)

	uploadErr := <-uploadErrorChan
	return uploadErr
}

func (usecase *IngestionUseCase) processUploadLog(ctx context.Context, uploadLog UploadLog) error {
	done, err := usecase.uploadLogRepository.UpdateUploadLogStatus(ctx, uploadLog.ID, UploadPending, UploadProcessing)
	if err != nil {
		return err
	}
	if !done {
		// another worker took it
		return nil
	}

	if _, err := usecase.ingester.IngestFile(ctx, uploadLog.OrganizationID, uploadLog.TableName, uploadLog.FileName); err != nil {
		if _, updateErr := usecase.uploadLogRepository.UpdateUploadLogStatus(ctx, uploadLog.ID, UploadProcessing, UploadFailure); updateErr != nil {
			return updateErr
		}
		return fmt.Errorf("ingesting upload log %s: %w", uploadLog.ID, err)
	}
	_, err = usecase.uploadLogRepository.UpdateUploadLogStatus(ctx, uploadLog.ID, UploadProcessing, UploadSuccess)
	return err
}
