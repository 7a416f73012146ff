// Package bug is a held-out kernel (issue 14): tt's watchdog tells its
// helper goroutines that the instance has finished by sending one value
// on wd.done and then waits on doneBarrier for all of them; with
// integrity checks turned on there are two helpers (the signal handler
// and the periodic integrity checker), only one of them receives the
// value, and the watchdog hangs on doneBarrier.Wait when the instance
// stops.
//
// Upstream: tarantool/tt#762 ("watchdog: properly finish goroutine for periodic integrity checks")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: startSignalHandling adds one to doneBarrier and starts a goroutine
// that forwards signals to the instance until `<-wd.done`; with an
// integrity check period the watchdog also starts a goroutine that checks
// the instance's files on a ticker, also added to doneBarrier and also
// leaving on `<-wd.done`. When the instance exits (or the pre-start
// action fails) Start does `wd.done <- true` once: one helper returns,
// the other keeps waiting, and `wd.doneBarrier.Wait()` never returns
// ("This prevents hanging of watchdog upon stopping the instance with
// integrity checks turned on"). Our reduction: the instance, provider and
// logger become small interfaces; the integrity goroutine's body is ours
// (the thread shows the watchdog's side only).
//
// Fix (our reading of the thread, which shows the changed comment "Finish
// the signal handling and periodic integrity check goroutines" but not
// the new statement): each start makes a fresh done channel and Start
// closes it, so every helper sees the end of the instance.
package bug

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Instance is the controlled tarantool process.
type Instance interface {
	Start() error
	Wait() error
	Stop(timeout time.Duration) error
	SendSignal(sig os.Signal) error
	IsAlive() bool
}

// Provider creates instances and reads the configuration.
type Provider interface {
	CreateInstance() (Instance, error)
	IsRestartable() (bool, error)
	CheckIntegrity() error
}

// Watchdog is a process that controls an Instance process.
type Watchdog struct {
	instance       Instance
	logf           func(format string, args ...any)
	doneBarrier    sync.WaitGroup
	restartTimeout time.Duration
	integrityCheck time.Duration // 0: no periodic integrity checks
	done           chan bool
	provider       Provider
	stopMutex      sync.Mutex
	shouldStop     bool
	preStartAction func() error
}

// NewWatchdog creates a new Watchdog.
func NewWatchdog(restartTimeout, integrityCheck time.Duration, provider Provider,
	preStartAction func() error, logf func(format string, args ...any)) *Watchdog {
	return &Watchdog{
		logf:           logf,
		restartTimeout: restartTimeout,
		integrityCheck: integrityCheck,
		done:           make(chan bool, 1),
		provider:       provider,
		preStartAction: preStartAction,
	}
}

// Start starts the instance and the helper goroutines.
func (wd *Watchdog) Start() error {
	var err error
	if wd.instance, err = wd.provider.CreateInstance(); err != nil {
		return err
	}

	wd.startHelpers()

	if err = wd.preStartAction(); err != nil {
		wd.logf("(ERROR): pre-start action error: %v", err)
		// Finish the signal handling goroutine.
		wd.done <- true       // heldout:site
		wd.doneBarrier.Wait() // heldout:site
		return err
	}

	for {
		wd.stopMutex.Lock()
		if wd.shouldStop {
			wd.stopMutex.Unlock()
			wd.done <- true       // heldout:site
			wd.doneBarrier.Wait() // heldout:site
			return nil
		}
		if err := wd.instance.Start(); err != nil {
			wd.logf("(ERROR): instance start failed: %v", err)
			wd.stopMutex.Unlock()
			wd.done <- true       // heldout:site
			wd.doneBarrier.Wait() // heldout:site
			break
		}
		wd.stopMutex.Unlock()

		if err := wd.instance.Wait(); err != nil {
			wd.logf("(WARN): %v", err)
		}

		// Set Instance process completion indication.
		wd.done <- true // heldout:site
		// Wait for the helper goroutines to complete.
		wd.doneBarrier.Wait() // heldout:site

		restartable, err := wd.provider.IsRestartable()
		if err != nil || wd.shouldStop || !restartable {
			break
		}
		time.Sleep(wd.restartTimeout)

		wd.shouldStop = false
		if wd.instance, err = wd.provider.CreateInstance(); err != nil {
			return err
		}
		wd.startHelpers()
	}
	return nil
}

func (wd *Watchdog) startHelpers() {
	wd.startSignalHandling()
	if wd.integrityCheck > 0 {
		wd.startIntegrityChecks()
	}
}

// startSignalHandling forwards signals to the instance until done.
func (wd *Watchdog) startSignalHandling() {
	sigChan := make(chan os.Signal, 1)
	signal.Reset()
	signal.Notify(sigChan)
	signal.Ignore(syscall.SIGURG)

	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()
		defer signal.Stop(sigChan)

		for {
			select {
			case sig := <-sigChan:
				switch sig {
				case syscall.SIGINT, syscall.SIGTERM:
					wd.stopMutex.Lock()
					wd.shouldStop = true
					wd.stopMutex.Unlock()
					if wd.instance.IsAlive() {
						wd.instance.Stop(30 * time.Second)
					}
				default:
					if wd.instance.IsAlive() {
						wd.instance.SendSignal(sig)
					}
				}
			case <-wd.done:
				return
			}
		}
	}()
}

// startIntegrityChecks stops the instance when its files are tampered with.
func (wd *Watchdog) startIntegrityChecks() {
	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()

		ticker := time.NewTicker(wd.integrityCheck)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				if err := wd.provider.CheckIntegrity(); err != nil {
					wd.logf("(ERROR): integrity check failed: %v", err)
					wd.stopMutex.Lock()
					wd.shouldStop = true
					wd.stopMutex.Unlock()
					if wd.instance.IsAlive() {
						wd.instance.Stop(30 * time.Second)
					}
				}
			case <-wd.done: // heldout:site
				return
			}
		}
	}()
}
