// Package bug is a held-out kernel (issue 14): a Raspberry Pi GPIO
// library whose Open locks the package's memory lock and returns from a
// failed memory map without unlocking it, so the next Open, Close or pin
// write of the program blocks for ever on the lock.
//
// Upstream: stianeikeland/go-rpio#3 ("Always unlock mutex")
// Round: 13
//
// Bug: Open opens /dev/mem, takes memlock to memory-map the GPIO
// registers into the package's gpioMem slices and then unlocks; the PR
// says "Open function could have returned without unlocking the mutex":
// when the mmap failed, Open returned its error with memlock held. The
// usual program is "rpio.Open(); defer rpio.Close()", and Close, PinMode,
// WritePin and PullMode all take memlock. The statement order of the old
// Open is our reading of the PR; the device file and the mmap are reduced
// to injectable functions so the kernel needs no system calls.
//
// Fix: Open unlocks memlock with defer.
package bug

import (
	"errors"
	"sync"
)

// Mode is a pin's direction.
type Mode uint8

// Pin is a BCM2835 pin number.
type Pin uint8

// State is a pin's level.
type State uint8

const (
	Input Mode = iota
	Output
)

const (
	Low State = iota
	High
)

const (
	bcm2835Base = 0x20000000
	gpioOffset  = 0x200000
	memLength   = 4096
)

// device is the memory device Open maps (os.File, reduced).
type device interface {
	Fd() uintptr
	Close() error
}

// The system hooks (os.OpenFile and syscall.Mmap/Munmap in upstream).
var (
	openDevice = func(name string) (device, error) { return nil, errors.New("no such device") }
	mmap       = func(fd uintptr, offset int64, length int) ([]uint32, error) {
		return nil, errors.New("mmap: permission denied")
	}
	munmap = func([]uint32) error { return nil }
)

// Arrays for memory access and a mutex for write locking.
var (
	memlock sync.Mutex
	gpioMem []uint32
)

// Output sets the pin as output.
func (pin Pin) Output() { PinMode(pin, Output) }

// High sets the pin high.
func (pin Pin) High() { WritePin(pin, High) }

// Low sets the pin low.
func (pin Pin) Low() { WritePin(pin, Low) }

// PinMode sets the direction of a pin.
func PinMode(pin Pin, mode Mode) {
	fselReg := uint8(pin) / 10
	shift := (uint8(pin) % 10) * 3
	f := uint32(0)
	if mode == Output {
		f = 1
	}

	memlock.Lock()
	defer memlock.Unlock()

	const pinMask = 7
	gpioMem[fselReg] = (gpioMem[fselReg] &^ (pinMask << shift)) | (f << shift)
}

// WritePin sets a pin high or low.
func WritePin(pin Pin, state State) {
	p := uint8(pin)
	clearReg := p/32 + 10
	setReg := p/32 + 7

	memlock.Lock()
	defer memlock.Unlock()

	if state == Low {
		gpioMem[clearReg] = 1 << (p & 31)
	} else {
		gpioMem[setReg] = 1 << (p & 31)
	}
}

// Open memory-maps the GPIO registers.
func Open() (err error) {
	file, err := openDevice("/dev/mem")
	if err != nil {
		return
	}
	defer file.Close()

	memlock.Lock() // heldout:site

	gpioMem, err = mmap(file.Fd(), bcm2835Base+gpioOffset, memLength)
	if err != nil {
		return // heldout:site
	}

	memlock.Unlock()
	return nil
}

// Close unmaps the GPIO memory.
func Close() error {
	memlock.Lock()
	defer memlock.Unlock()
	return munmap(gpioMem)
}

type memDevice struct{}

func (memDevice) Fd() uintptr  { return 3 }
func (memDevice) Close() error { return nil }

// blinkWhenReady is a program that waits for the GPIO memory to become
// accessible (a udev rule or a group change applying after boot),
// retrying Open: the second Open blocks on the lock the first kept.
func blinkWhenReady() error {
	openDevice = func(string) (device, error) { return memDevice{}, nil }
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = Open(); err != nil {
			continue
		}
		defer Close()

		pin := Pin(4)
		pin.Output()
		pin.High()
		pin.Low()
		return nil
	}
	return err
}
