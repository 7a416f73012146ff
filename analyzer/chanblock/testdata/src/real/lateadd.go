package real

import "sync"

// Upstream: multiversx/mx-chain-go#704. The started method adds itself
// to the WaitGroup, and its Done follows a call that serves until the
// process ends; the starter's Wait races with the Add.
type lateFacade struct {
	serve func() error
	run   func()
}

func (f *lateFacade) startBackground(wg *sync.WaitGroup) {
	wg.Add(1) // want `startBackground adds to the WaitGroup it is handed only once it runs as a goroutine \(started at line \d+\), and startNode waits on it at line \d+`
	go f.run()
	f.serve()
	wg.Done()
}

func startNode(f *lateFacade) {
	var wg sync.WaitGroup
	go f.startBackground(&wg)
	wg.Wait()
}

// A named worker function.
func lateWorker(wg *sync.WaitGroup, job func()) {
	wg.Add(1) // want `lateWorker adds to the WaitGroup it is handed only once it runs as a goroutine`
	defer wg.Done()
	job()
}

func runLateWorkers(jobs []func()) {
	wg := new(sync.WaitGroup)
	for _, j := range jobs {
		go lateWorker(wg, j) // the Add is in lateWorker
	}
	wg.Wait()
}

// The fix: Add before the go statement.
func (f *lateFacade) startBackgroundFixed(wg *sync.WaitGroup) {
	go f.run()
	f.serve()
	wg.Done()
}

func startNodeFixed(f *lateFacade) {
	var wg sync.WaitGroup
	wg.Add(1)
	go f.startBackgroundFixed(&wg)
	wg.Wait()
}

// Look-alikes: the callee's Add counts goroutines it starts itself after
// its own Done-free bookkeeping (not first); and the starter never
// waits.
func spawnTwo(wg *sync.WaitGroup, job func()) {
	job()
	wg.Add(1)
	go func() {
		defer wg.Done()
		job()
	}()
}

func runSpawn(job func()) {
	var wg sync.WaitGroup
	go spawnTwo(&wg, job)
	wg.Wait()
}

func lateFireAndForget(job func()) {
	var wg sync.WaitGroup
	go lateWorker(&wg, job)
}
