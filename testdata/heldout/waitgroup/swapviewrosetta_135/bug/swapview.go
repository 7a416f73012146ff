// Package bug is a held-out kernel (issue 14): a WaitGroup counted up by
// the number of /proc entries, where the loop skips entries that are not
// pids with a continue that never calls Done, so Wait blocks for ever.
//
// Upstream: lilydjwg/swapview-rosetta#135 ("fix bug in go version go1.9: fatal error: all goroutines are asleep - deadlock")
// Round: 15
//
// Bug: GetInfos adds len(names) to the WaitGroup up front and starts one
// GetInfo goroutine per pid; for a name that is not a number (self, net,
// sys...) the loop continues without calling Done, as the PR says ("the
// continue is missing a wg.Done()"), so wg.Wait never returns (and with
// nothing else running, the runtime reports all goroutines asleep). The
// collector goroutine and the smaps parsing are our reduction of the
// program's shape.
//
// Fix: the skipping branch calls wg.Done before continue.
package bug

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
			continue // heldout:site
		}
		go GetInfo(pid, infoCh, wg)
	}
	wg.Wait() // heldout:site
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
