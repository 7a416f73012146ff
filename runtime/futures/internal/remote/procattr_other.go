//go:build !linux

package remote

import "syscall"

// WorkerAttr: outside Linux a worker notices its parent's death when the
// task pipe closes.
func WorkerAttr() *syscall.SysProcAttr { return nil }
