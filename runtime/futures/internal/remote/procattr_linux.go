package futures

import "syscall"

// workerAttr makes a worker process die with the pool's process, so that
// no worker outlives a crashed parent.
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
