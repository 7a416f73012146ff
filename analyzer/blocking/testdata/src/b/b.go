// Package b holds helpers that block, called from package a.
package b

import (
	"os"
	"time"
)

func Helper() { // want Helper:"blocks: time.Sleep via b.inner"
	inner()
}

func inner() { // want inner:"blocks: time.Sleep"
	time.Sleep(time.Second)
}

// Load reads a file.
func Load(name string) ([]byte, error) { // want Load:"blocks: os.ReadFile"
	return os.ReadFile(name)
}

// Quick does not block.
func Quick() int { return 1 }

// Spawn blocks only in the goroutine it starts.
func Spawn() {
	go time.Sleep(time.Second)
	go func() { time.Sleep(time.Second) }()
}

// Later returns a function that blocks; making it does not.
func Later() func() {
	return func() { time.Sleep(time.Second) }
}
