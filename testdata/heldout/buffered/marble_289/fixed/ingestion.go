// Package fixed is the fixed version of buffered/marble_289: the error
// channel has room for one error per upload log, so no worker blocks
// before its Done and waitGroup.Wait() returns.
package fixed

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
	// The channel needs to be big enough to store any possible errors to
	// avoid a deadlock due to the presence of a waitGroup.
	uploadErrorChan := make(chan error, len(pendingUploadLogs))

	startProcessUploadLog := func(uploadLog UploadLog) {
		defer waitGroup.Done()
		if err := usecase.processUploadLog(ctx, uploadLog); err != nil {
			uploadErrorChan <- err
		}
	}

	for _, uploadLog := range pendingUploadLogs {
		waitGroup.Add(1)
		go startProcessUploadLog(uploadLog)
	}

	waitGroup.Wait()
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
