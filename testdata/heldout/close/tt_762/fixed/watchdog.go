// Package fixed is the fixed version of close/tt_762: every start of the
// helpers makes a fresh done channel and the watchdog closes it, so the
// signal handler and the integrity checker both leave and doneBarrier.Wait
// returns.
package fixed

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
		// Finish the signal handling and periodic integrity check goroutines.
		wd.finishHelpers()
		return err
	}

	for {
		wd.stopMutex.Lock()
		if wd.shouldStop {
			wd.stopMutex.Unlock()
			wd.finishHelpers()
			return nil
		}
		if err := wd.instance.Start(); err != nil {
			wd.logf("(ERROR): instance start failed: %v", err)
			wd.stopMutex.Unlock()
			wd.finishHelpers()
			break
		}
		wd.stopMutex.Unlock()

		if err := wd.instance.Wait(); err != nil {
			wd.logf("(WARN): %v", err)
		}

		// Set Instance process completion indication and wait for the
		// helper goroutines to complete.
		wd.finishHelpers()

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
	wd.done = make(chan bool)
	wd.startSignalHandling()
	if wd.integrityCheck > 0 {
		wd.startIntegrityChecks()
	}
}

// finishHelpers tells every helper goroutine that the instance is done
// and waits for them.
func (wd *Watchdog) finishHelpers() {
	close(wd.done)
	wd.doneBarrier.Wait()
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
			case <-wd.done:
				return
			}
		}
	}()
}
