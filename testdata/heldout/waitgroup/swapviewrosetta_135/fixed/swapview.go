// Package fixed is the fixed version of waitgroup/swapviewrosetta_135: the
// branch that skips a name that is not a pid calls wg.Done first.
package fixed

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
)

// Info is one process's swap use.
type Info struct {
	Pid  int
	Size int64
	Comm string
}

var swapPrefix = []byte("Swap:")

// GetInfos returns the swap use of every process.
func GetInfos() []Info {
	f, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer f.Close()
	names, err := f.Readdirnames(0)
	if err != nil {
		return nil
	}

	infoCh := make(chan *Info, len(names))
	var list []Info
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for info := range infoCh {
			list = append(list, *info)
		}
	}()

	wg := new(sync.WaitGroup)
	wg.Add(len(names))
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil {
			wg.Done()
			continue
		}
		go GetInfo(pid, infoCh, wg)
	}
	wg.Wait()
	close(infoCh)
	<-collected
	return list
}

// GetInfo reads one process's swap use and reports it on infoCh.
func GetInfo(pid int, infoCh chan<- *Info, wg *sync.WaitGroup) {
	defer wg.Done()
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return
	}
	smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return
	}
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		b := sc.Bytes()
		if !bytes.HasPrefix(b, swapPrefix) {
			continue
		}
		var size int64
		for _, c := range b {
			if c >= '0' && c <= '9' {
				size = size*10 + int64(c-'0')
			}
		}
		total += size
	}
	if total == 0 {
		return
	}
	infoCh <- &Info{Pid: pid, Size: total * 1024, Comm: string(comm)}
}
