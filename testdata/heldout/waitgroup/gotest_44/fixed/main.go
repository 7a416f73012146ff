// Command fixed is the fixed version of waitgroup/gotest_44: the consumer
// runs before the command can fail to start.
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
	wg.Add(1)
	defer wg.Wait()

	r, w := io.Pipe()
	defer w.Close()

	args = append([]string{"test"}, args...)
	cmd := exec.Command("go", args...)
	cmd.Stderr = w
	cmd.Stdout = w
	cmd.Env = os.Environ()

	go consume(&wg, r)

	if err := cmd.Start(); err != nil {
		log.Print(err)
		return 1
	}

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
