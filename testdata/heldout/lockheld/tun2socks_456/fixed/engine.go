// Package fixed is a held-out kernel (issue 14): tun2socks' engine, whose
// start takes the package-level _engineMu and returns early, without
// unlocking it, when no key has been inserted or when one of the set-up
// steps (general, netstack) fails. Every later Insert, start or stop then
// waits for _engineMu for ever.
//
// Upstream: xjasonlyu/tun2socks#456 ("Fix: mutex never unlocked on error")
// Round: 14
//
// Bug: the PR's title. The engine's package state (_engineMu,
// _defaultKey, _defaultDevice, _defaultStack), Insert, start with its
// loop over set-up funcs and stop (Close, then Wait on the stack) follow
// engine/engine.go; the device and stack are reduced to small types,
// and Start returning start's error to its caller (as the projects that
// embed the engine do) is ours: upstream's Start calls log.Fatalf.
//
// Fix: start unlocks _engineMu with defer.
package fixed

import (
	"errors"
	"sync"
)

// Key is the engine's configuration.
type Key struct {
	Device   string
	Proxy    string
	LogLevel string
}

// Device is the TUN device.
type Device interface {
	Name() string
	Close() error
}

// Stack is the user-space network stack.
type Stack struct {
	done chan struct{}
	once sync.Once
}

// Close stops the stack.
func (s *Stack) Close() { s.once.Do(func() { close(s.done) }) }

// Wait blocks until the stack has stopped.
func (s *Stack) Wait() { <-s.done }

type tunDevice struct{ name string }

func (d *tunDevice) Name() string { return d.name }
func (d *tunDevice) Close() error { return nil }

var (
	_engineMu sync.Mutex

	// _defaultKey holds the default key for the engine.
	_defaultKey *Key

	// _defaultDevice holds the default device for the engine.
	_defaultDevice Device

	// _defaultStack holds the default stack for the engine.
	_defaultStack *Stack
)

// Start starts the default engine up.
func Start() error {
	return start()
}

// Stop shuts the default engine down.
func Stop() error {
	return stop()
}

// Insert loads *Key to the default engine.
func Insert(k *Key) {
	_engineMu.Lock()
	_defaultKey = k
	_engineMu.Unlock()
}

func start() error {
	_engineMu.Lock()
	defer _engineMu.Unlock()

	if _defaultKey == nil {
		return errors.New("empty key")
	}

	for _, f := range []func(*Key) error{
		general,
		netstack,
	} {
		if err := f(_defaultKey); err != nil {
			return err
		}
	}
	return nil
}

func stop() (err error) {
	_engineMu.Lock()
	if _defaultDevice != nil {
		err = _defaultDevice.Close()
	}
	if _defaultStack != nil {
		_defaultStack.Close()
		_defaultStack.Wait()
	}
	_engineMu.Unlock()
	return err
}

func general(k *Key) error {
	switch k.LogLevel {
	case "", "debug", "info", "warn", "error", "silent":
		return nil
	}
	return errors.New("invalid log level: " + k.LogLevel)
}

func netstack(k *Key) error {
	if k.Proxy == "" {
		return errors.New("empty proxy")
	}
	if k.Device == "" {
		return errors.New("empty device")
	}
	_defaultDevice = &tunDevice{name: k.Device}
	_defaultStack = &Stack{done: make(chan struct{})}
	return nil
}

// Restart starts the engine before its key is loaded, then loads the key
// and starts it again.
func Restart() error {
	if err := Start(); err == nil {
		return Stop()
	}
	Insert(&Key{Device: "tun://utun0", Proxy: "socks5://127.0.0.1:1080"})
	if err := Start(); err != nil {
		return err
	}
	return Stop()
}
