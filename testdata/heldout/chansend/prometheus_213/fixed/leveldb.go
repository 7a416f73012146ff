// Package fixed is the fixed version of chansend/prometheus_213: each error
// channel has room for its sender's value.
package fixed

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
	indexErrChan := make(chan error, 1)
	watermarkErrChan := make(chan error, 1)

	go func() {
		indexErrChan <- l.indexMetrics(samples)
	}()
	go func() {
		watermarkErrChan <- l.refreshHighWatermarks(samples)
	}()

	if err := <-indexErrChan; err != nil {
		return err
	}
	if err := <-watermarkErrChan; err != nil {
		return err
	}
	return nil
}
