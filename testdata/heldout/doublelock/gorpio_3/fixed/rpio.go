// Package fixed is the fixed version of doublelock/gorpio_3: Open
// unlocks memlock with defer, so a failed memory map leaves it free.
package fixed

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

	memlock.Lock()
	defer memlock.Unlock()

	gpioMem, err = mmap(file.Fd(), bcm2835Base+gpioOffset, memLength)
	if err != nil {
		return
	}
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
// retrying Open.
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
