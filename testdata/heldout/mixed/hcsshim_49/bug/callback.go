// Package bug is a held-out kernel (issue 14): a container unregisters its
// notification callback while holding the callback map's write lock; the
// compute service's unregister waits for the callbacks it is running, and a
// running callback waits for the map's read lock.
//
// Upstream: microsoft/hcsshim#49 ("Prevent deadlock when unregistering notification handler")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper mixwg to tune the analyzers; not a blind measure)
//
// Bug: registerCallback stores a notifcationWatcherContext (one buffered
// channel per notification type) in the package's callbackMap under
// callbackMapLock and registers notificationWatcher with the Host Compute
// Service. notificationWatcher, run by the service for each notification,
// takes callbackMapLock.RLock to look its context up and sends the result
// on the matching channel. unregisterCallback takes callbackMapLock.Lock,
// defers the Unlock, and calls hcsUnregisterComputeSystemCallback, which
// returns only once every callback already running has returned: a
// notification delivered at that moment waits for the read lock, and the
// unregister waits for it, for ever. The PR: "A call to unregister
// notifications while a current notification was being sent could cause a
// deadlock. This stops holding the callbackMapLock when calling
// HcsUnregister*Callback."
//
// Fix: unregisterCallback reads the context under RLock, releases it,
// unregisters without the lock ("hcsUnregisterComputeSystemCallback has its
// own synchronization to wait for all callbacks to complete. We must NOT
// hold the callbackMapLock."), closes the channels, and clears the map
// entry under Lock.
//
// The Host Compute Service is Windows code reached through syscalls; the
// computeService type is our model of what it does here: it calls each
// registered callback on a goroutine of its own and its unregister waits
// for the callbacks in flight.
package bug

import (
	"errors"
	"sync"
	"time"
)

type hcsNotification uint32

const (
	hcsNotificationSystemExited          hcsNotification = 0x00000001
	hcsNotificationSystemCreateCompleted hcsNotification = 0x00000002
	hcsNotificationSystemStartCompleted  hcsNotification = 0x00000003
	hcsNotificationServiceDisconnect     hcsNotification = 0x01000000
)

// ErrTimeout is returned when a notification does not arrive in time.
var ErrTimeout = errors.New("hcsshim: timeout waiting for notification")

type notificationChannel chan error

type notificationChannels map[hcsNotification]notificationChannel

type hcsCallback uintptr

type notifcationWatcherContext struct {
	channels notificationChannels
	handle   hcsCallback
}

func newChannels() notificationChannels {
	channels := make(notificationChannels)
	channels[hcsNotificationSystemExited] = make(notificationChannel, 1)
	channels[hcsNotificationSystemCreateCompleted] = make(notificationChannel, 1)
	channels[hcsNotificationSystemStartCompleted] = make(notificationChannel, 1)
	channels[hcsNotificationServiceDisconnect] = make(notificationChannel, 1)
	return channels
}

func closeChannels(channels notificationChannels) {
	for _, c := range channels {
		close(c)
	}
}

var (
	nextCallback    uintptr
	callbackMap     = map[uintptr]*notifcationWatcherContext{}
	callbackMapLock = sync.RWMutex{}
)

// notificationWatcher is the callback the compute service runs.
func notificationWatcher(notificationType hcsNotification, callbackNumber uintptr, notificationStatus error) uintptr {
	callbackMapLock.RLock() // heldout:site
	context := callbackMap[callbackNumber]
	callbackMapLock.RUnlock()

	if context == nil {
		return 0
	}
	context.channels[notificationType] <- notificationStatus
	return 0
}

type registration struct {
	system  uintptr
	fn      func(hcsNotification, uintptr, error) uintptr
	context uintptr
}

// computeService models the Host Compute Service's callback registry.
type computeService struct {
	mu        sync.Mutex
	next      hcsCallback
	callbacks map[hcsCallback]registration
	running   sync.WaitGroup
}

func newComputeService() *computeService {
	return &computeService{callbacks: map[hcsCallback]registration{}}
}

func (s *computeService) register(system uintptr, fn func(hcsNotification, uintptr, error) uintptr, context uintptr) hcsCallback {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.callbacks[s.next] = registration{system: system, fn: fn, context: context}
	return s.next
}

// start starts a compute system and reports it to the system's callbacks.
func (s *computeService) start(system uintptr) {
	s.mu.Lock()
	var handles []hcsCallback
	for h, r := range s.callbacks {
		if r.system == system {
			handles = append(handles, h)
		}
	}
	s.mu.Unlock()
	for _, h := range handles {
		s.notify(h, hcsNotificationSystemStartCompleted, nil)
	}
}

// notify delivers a notification to a registered callback on its own goroutine.
func (s *computeService) notify(h hcsCallback, n hcsNotification, status error) {
	s.mu.Lock()
	r, ok := s.callbacks[h]
	if !ok {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		r.fn(n, r.context, status)
	}()
}

// unregister removes a callback and returns once no callback is running.
func (s *computeService) unregister(h hcsCallback) error {
	s.mu.Lock()
	delete(s.callbacks, h)
	s.mu.Unlock()
	s.running.Wait() // heldout:site
	return nil
}

var hcs = newComputeService()

func hcsRegisterComputeSystemCallback(system uintptr, fn func(hcsNotification, uintptr, error) uintptr, context uintptr, handle *hcsCallback) error {
	*handle = hcs.register(system, fn, context)
	return nil
}

func hcsStartComputeSystem(system uintptr) error {
	hcs.start(system)
	return nil
}

func hcsUnregisterComputeSystemCallback(handle hcsCallback) error {
	return hcs.unregister(handle)
}

type container struct {
	handleLock     sync.RWMutex
	handle         uintptr
	id             string
	callbackNumber uintptr
}

func (container *container) registerCallback() error {
	context := &notifcationWatcherContext{channels: newChannels()}

	callbackMapLock.Lock()
	callbackNumber := nextCallback
	nextCallback++
	callbackMap[callbackNumber] = context
	callbackMapLock.Unlock()

	var callbackHandle hcsCallback
	if err := hcsRegisterComputeSystemCallback(container.handle, notificationWatcher, callbackNumber, &callbackHandle); err != nil {
		return err
	}
	context.handle = callbackHandle
	container.callbackNumber = callbackNumber
	return nil
}

func (container *container) unregisterCallback() error {
	callbackNumber := container.callbackNumber

	callbackMapLock.Lock()
	defer callbackMapLock.Unlock()

	handle := callbackMap[callbackNumber].handle
	if handle == 0 {
		return nil
	}

	err := hcsUnregisterComputeSystemCallback(handle) // heldout:site
	if err != nil {
		return err
	}

	callbackMap[callbackNumber] = nil
	return nil
}

// waitForNotification waits for the expected notification or a disconnect.
func waitForNotification(callbackNumber uintptr, expected hcsNotification, timeout time.Duration) error {
	callbackMapLock.RLock()
	channels := callbackMap[callbackNumber].channels
	callbackMapLock.RUnlock()

	expectedChannel, ok := channels[expected]
	if !ok {
		return errors.New("unknown notification type")
	}
	select {
	case err, ok := <-expectedChannel:
		if !ok {
			return errors.New("handle closed")
		}
		return err
	case err, ok := <-channels[hcsNotificationServiceDisconnect]:
		if !ok {
			return errors.New("handle closed")
		}
		return err
	case <-time.After(timeout):
		return ErrTimeout
	}
}

// Start starts the container and waits for the service to confirm it.
func (container *container) Start() error {
	container.handleLock.RLock()
	defer container.handleLock.RUnlock()
	if container.handle == 0 {
		return errors.New("container closed")
	}
	if err := hcsStartComputeSystem(container.handle); err != nil {
		return err
	}
	return waitForNotification(container.callbackNumber, hcsNotificationSystemStartCompleted, 4*time.Minute)
}

// Close releases the container's callback and handle.
func (container *container) Close() error {
	container.handleLock.Lock()
	defer container.handleLock.Unlock()
	if container.handle == 0 {
		return nil
	}
	if err := container.unregisterCallback(); err != nil {
		return err
	}
	container.handle = 0
	return nil
}

// createContainer registers the callbacks of a new container.
func createContainer(id string, handle uintptr) (*container, error) {
	c := &container{id: id, handle: handle}
	if err := c.registerCallback(); err != nil {
		return nil, err
	}
	return c, nil
}
