//go:build unix

package vetrun

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of a process group and its cancellation
// kill the whole group: the go command and the compilers and vet tools it
// started.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
