// Package fixed is the fixed version of chanrecv/speedtestgo_142: the
// AfterFunc callback closes a stop channel after stopping the ticker, and
// the capture goroutine selects on it and returns.
package fixed

import (
	"runtime"
	"sync"
	"time"
)

// Job is one unit of transfer work.
type Job func()

type queue struct {
	jobs    chan Job
	workers int
	wg      sync.WaitGroup
}

func newQueue(size, workers int) *queue {
	return &queue{jobs: make(chan Job, size), workers: workers}
}

func (q *queue) Run() {
	for i := 0; i < q.workers; i++ {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			for job := range q.jobs {
				job()
			}
		}()
	}
}

func (q *queue) Push(j Job) { q.jobs <- j }

func (q *queue) Terminate() {
	close(q.jobs)
	q.wg.Wait()
}

// DataManager counts the bytes moved and samples the rate.
type DataManager struct {
	sync.Mutex
	totalDownload        int64
	totalUpload          int64
	DownloadRateSequence []float64
	UploadRateSequence   []float64

	captureTime          time.Duration
	rateCaptureFrequency time.Duration
	nThread              int
}

// NewDataManager returns a manager with the default capture window.
func NewDataManager() *DataManager {
	return &DataManager{
		nThread:              runtime.NumCPU(),
		captureTime:          10 * time.Second,
		rateCaptureFrequency: time.Second,
	}
}

// DownloadRateCaptureHandler runs fn as download jobs while sampling.
func (dm *DataManager) DownloadRateCaptureHandler(fn Job) {
	dm.testHandler(dm.downloadRateCapture, fn)
}

// UploadRateCaptureHandler runs fn as upload jobs while sampling.
func (dm *DataManager) UploadRateCaptureHandler(fn Job) {
	dm.testHandler(dm.uploadRateCapture, fn)
}

func (dm *DataManager) testHandler(captureFunc func(stop <-chan struct{}) *time.Ticker, job Job) {
	q := newQueue(10, dm.nThread)
	q.Run()

	stop := make(chan struct{})
	ticker := captureFunc(stop)
	time.AfterFunc(dm.captureTime, func() {
		ticker.Stop()
		close(stop)
		q.Terminate()
	})

	for i := 0; i < 1000; i++ {
		q.Push(job)
	}
}

func (dm *DataManager) downloadRateCapture(stop <-chan struct{}) *time.Ticker {
	return dm.rateCapture(dm.GetTotalDownload, &dm.DownloadRateSequence, stop)
}

func (dm *DataManager) uploadRateCapture(stop <-chan struct{}) *time.Ticker {
	return dm.rateCapture(dm.GetTotalUpload, &dm.UploadRateSequence, stop)
}

func (dm *DataManager) rateCapture(rateFunc func() int64, dst *[]float64, stop <-chan struct{}) *time.Ticker {
	ticker := time.NewTicker(dm.rateCaptureFrequency)
	oldTotal := rateFunc()
	step := float64(time.Second / dm.rateCaptureFrequency)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			newTotal := rateFunc()
			delta := newTotal - oldTotal
			oldTotal = newTotal
			dm.Lock()
			*dst = append(*dst, float64(delta)*8/1000000*step)
			dm.Unlock()
		}
	}()
	return ticker
}

// GetTotalDownload returns the bytes downloaded so far.
func (dm *DataManager) GetTotalDownload() int64 {
	dm.Lock()
	defer dm.Unlock()
	return dm.totalDownload
}

// GetTotalUpload returns the bytes uploaded so far.
func (dm *DataManager) GetTotalUpload() int64 {
	dm.Lock()
	defer dm.Unlock()
	return dm.totalUpload
}
