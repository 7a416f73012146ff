package remote

import "syscall"

// WorkerAttr makes a worker process die with the pool's process, so that
// no worker outlives a crashed parent.
func WorkerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
