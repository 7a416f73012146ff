// Package fixed is the fixed version of buffered/kolidelauncher_2242: a
// restart signal already pending is enough, so its send never blocks (our
// own fix; upstream made the buffer larger and later removed the cleanup
// ticker).
//
// Upstream: kolide/launcher#2242 ("Fix possible TUF deadlock")
// Round: 19
package fixed

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

type autoupdatableBinary string

const (
	binaryLauncher autoupdatableBinary = "launcher"
	binaryOsqueryd autoupdatableBinary = "osqueryd"
)

var binaries = []autoupdatableBinary{binaryLauncher, binaryOsqueryd}

// LauncherReloadNeededErr tells the rungroup to restart into a new version.
type LauncherReloadNeededErr struct{ Version string }

func (e LauncherReloadNeededErr) Error() string {
	return "launcher reload needed: " + e.Version
}

// Metadata is the TUF metadata client and the download of new releases.
type Metadata interface {
	Update() error
	Download(binary autoupdatableBinary) (newVersion string, err error)
}

// TufAutoupdater downloads new launcher and osqueryd releases.
type TufAutoupdater struct {
	metadataClient   Metadata
	checkInterval    time.Duration
	cleanupInterval  time.Duration
	updateLock       *sync.Mutex
	interrupt        chan struct{}
	interrupted      bool
	signalRestart    chan error
	restartFuncs     map[autoupdatableBinary]func() error
	storeError       func(error)
	cleanUpOldErrors func()
}

// NewTufAutoupdater makes an autoupdater; Execute runs it.
func NewTufAutoupdater(m Metadata, checkInterval time.Duration, storeError func(error), cleanUp func()) *TufAutoupdater {
	return &TufAutoupdater{
		metadataClient:   m,
		checkInterval:    checkInterval,
		cleanupInterval:  12 * time.Hour,
		updateLock:       &sync.Mutex{},
		interrupt:        make(chan struct{}, 1),
		signalRestart:    make(chan error, 1),
		restartFuncs:     make(map[autoupdatableBinary]func() error),
		storeError:       storeError,
		cleanUpOldErrors: cleanUp,
	}
}

// Execute is the run loop: it checks for updates periodically and, less
// often, cleans up old errors.
func (ta *TufAutoupdater) Execute() error {
	checkTicker := time.NewTicker(ta.checkInterval)
	defer checkTicker.Stop()
	cleanupTicker := time.NewTicker(ta.cleanupInterval)
	defer cleanupTicker.Stop()

	for {
		if err := ta.checkForUpdate(binaries); err != nil {
			ta.storeError(err)
		}

		select {
		case <-checkTicker.C:
			continue
		case <-cleanupTicker.C:
			ta.cleanUpOldErrors()
		case <-ta.interrupt:
			return nil
		case signalRestartErr := <-ta.signalRestart:
			return signalRestartErr
		}
	}
}

// Interrupt stops Execute.
func (ta *TufAutoupdater) Interrupt(_ error) {
	if ta.interrupted {
		return
	}
	ta.interrupted = true
	ta.interrupt <- struct{}{}
}

// Do lets the control server ask for an update check now.
func (ta *TufAutoupdater) Do(binariesToUpdate []autoupdatableBinary) error {
	if len(binariesToUpdate) == 0 {
		return nil
	}
	if err := ta.checkForUpdate(binariesToUpdate); err != nil {
		ta.storeError(err)
		return fmt.Errorf("could not check for update: %w", err)
	}
	return nil
}

func (ta *TufAutoupdater) checkForUpdate(binariesToCheck []autoupdatableBinary) error {
	ta.updateLock.Lock()
	defer ta.updateLock.Unlock()

	if err := ta.metadataClient.Update(); err != nil {
		return fmt.Errorf("could not update metadata: %w", err)
	}

	updatesDownloaded := make(map[autoupdatableBinary]string)
	var updateErrors []error
	for _, binary := range binariesToCheck {
		v, err := ta.metadataClient.Download(binary)
		if err != nil {
			updateErrors = append(updateErrors, err)
		}
		if v != "" {
			updatesDownloaded[binary] = v
		}
	}
	if len(updateErrors) > 0 {
		return errors.Join(updateErrors...)
	}

	// If launcher was updated, we want to exit and reload.
	if updatedVersion, ok := updatesDownloaded[binaryLauncher]; ok {
		select {
		case ta.signalRestart <- LauncherReloadNeededErr{Version: updatedVersion}:
		default:
			// A restart is already pending.
		}
		return nil
	}

	for binary := range updatesDownloaded {
		if restart, ok := ta.restartFuncs[binary]; ok {
			if err := restart(); err != nil {
				ta.storeError(err)
			}
		}
	}
	return nil
}
