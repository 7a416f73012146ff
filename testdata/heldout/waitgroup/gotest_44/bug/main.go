// Command bug is a held-out kernel (issue 14): a WaitGroup whose Add is
// made before an error return and whose Done is in a goroutine started
// only after it, with the Wait deferred.
//
// Upstream: rakyll/gotest#44 ("Fix deadlock on err")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: gotest adds one to the WaitGroup and defers wg.Wait, then starts
// "go test"; if cmd.Start returns an error, gotest returns before starting
// the consume goroutine that calls wg.Done, and the deferred Wait blocks
// forever (the program never ends, per the PR).
//
// Fix: the consumer is started before cmd.Start, so Done always runs.
package main

import (
	"bufio"
	"io"
	"log"
	"os"
	"os/exec"
	"sync"
)

func gotest(args []string) int {
	var wg sync.WaitGroup
	wg.Add(1)       // heldout:site
	defer wg.Wait() // heldout:site

	r, w := io.Pipe()
	defer w.Close()

	args = append([]string{"test"}, args...)
	cmd := exec.Command("go", args...)
	cmd.Stderr = w
	cmd.Stdout = w
	cmd.Env = os.Environ()

	if err := cmd.Start(); err != nil {
		log.Print(err)
		return 1 // heldout:site
	}

	go consume(&wg, r)

	if err := cmd.Wait(); err != nil {
		if ws, ok := cmd.ProcessState.Sys().(interface{ ExitStatus() int }); ok {
			return ws.ExitStatus()
		}
		return 1
	}
	return 0
}

func consume(wg *sync.WaitGroup, r io.Reader) {
	defer wg.Done()
	reader := bufio.NewReader(r)
	for {
		l, _, err := reader.ReadLine()
		if err == io.EOF {
			return
		}
		if err != nil {
			log.Print(err)
			return
		}
		parse(string(l))
	}
}

func parse(line string) {
	os.Stdout.WriteString(line + "\n")
}

func main() {
	os.Exit(gotest(os.Args[1:]))
}
