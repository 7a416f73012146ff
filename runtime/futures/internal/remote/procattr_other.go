//go:build !linux

package futures

import "syscall"

// workerAttr: outside Linux a worker notices its parent's death when the
// task pipe closes.
func workerAttr() *syscall.SysProcAttr { return nil }
