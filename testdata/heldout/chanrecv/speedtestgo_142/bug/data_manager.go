// Package bug is a held-out kernel (issue 14): a speed test samples the
// transfer rate in a goroutine ranging over a ticker's channel; at the end
// of the capture window the ticker is stopped, but Stop does not close the
// channel, so the sampling goroutine waits for ever, one per test run.
//
// Upstream: showwin/speedtest-go#142 ("fix: clean-up the rate sequence goroutines to avoid leaking")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: testHandler starts the capture (rateCapture returns its ticker
// after starting `go func() { for range ticker.C { ... } }()`) and arms
// time.AfterFunc(captureTime) to stop the ticker and terminate the job
// queue. The PR: "As stated on Ticker.Stop: Stop does not close the
// channel ... This sole fact prevents the goroutine from exiting", which
// hit Telegraf's internet_speed input, a long-running user of the library.
// The job queue is our reduction of the LyricTian/queue the code used.
//
// Fix: the capture goroutine also selects on a stop channel that the
// AfterFunc callback closes after stopping the ticker, and returns; the
// exact shape of the fix is our reading of the PR.
package bug

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

func (dm *DataManager) testHandler(captureFunc func() *time.Ticker, job Job) {
	q := newQueue(10, dm.nThread)
	q.Run()

	ticker := captureFunc()
	time.AfterFunc(dm.captureTime, func() {
		ticker.Stop() // heldout:site
		q.Terminate()
	})

	for i := 0; i < 1000; i++ {
		q.Push(job)
	}
}

func (dm *DataManager) downloadRateCapture() *time.Ticker {
	return dm.rateCapture(dm.GetTotalDownload, &dm.DownloadRateSequence)
}

func (dm *DataManager) uploadRateCapture() *time.Ticker {
	return dm.rateCapture(dm.GetTotalUpload, &dm.UploadRateSequence)
}

func (dm *DataManager) rateCapture(rateFunc func() int64, dst *[]float64) *time.Ticker {
	ticker := time.NewTicker(dm.rateCaptureFrequency)
	oldTotal := rateFunc()
	step := float64(time.Second / dm.rateCaptureFrequency)
	go func() {
		for range ticker.C { // heldout:site
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
