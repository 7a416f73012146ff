// Package bug is a held-out kernel (issue 14): goroutines blocked sending
// their errors after the receiver returned on the first error.
//
// Upstream: prometheus/prometheus#213 ("Fix goroutine leak in leveldb.AppendSamples")
// Seen: 3152a19 (analyzer/deadlockleak's testdata real/real.go reduced this bug before the held-out set was made: never held out)
//
// Bug: AppendSamples runs one goroutine per index to update and each sends
// its result on an unbuffered error channel; the function returns on the
// first non-nil error, so the goroutines that finish later block on their
// sends forever ("400 goroutines blocked on sending to watermarkErrChan").
//
// Fix: the error channels are buffered for every sender.
package bug

import "errors"

// Sample is one value of a metric.
type Sample struct {
	Metric    string
	Timestamp int64
	Value     float64
}

type LevelDBMetricPersistence struct {
	fingerprints map[string]uint64
	watermarks   map[string]int64
}

var errWrite = errors.New("leveldb: write failed")

func (l *LevelDBMetricPersistence) indexMetrics(samples []Sample) error {
	if len(samples) == 0 {
		return errWrite
	}
	return nil
}

func (l *LevelDBMetricPersistence) refreshHighWatermarks(samples []Sample) error {
	for _, s := range samples {
		l.watermarks[s.Metric] = s.Timestamp
	}
	return nil
}

// AppendSamples stores samples, updating the indexes concurrently.
func (l *LevelDBMetricPersistence) AppendSamples(samples []Sample) error {
	indexErrChan := make(chan error)
	watermarkErrChan := make(chan error)

	go func() {
		indexErrChan <- l.indexMetrics(samples) // heldout:site
	}()
	go func() {
		watermarkErrChan <- l.refreshHighWatermarks(samples) // heldout:site
	}()

	if err := <-indexErrChan; err != nil {
		return err
	}
	if err := <-watermarkErrChan; err != nil {
		return err
	}
	return nil
}
