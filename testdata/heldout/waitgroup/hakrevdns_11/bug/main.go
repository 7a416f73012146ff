// Package bug is a held-out kernel (issue 14): a reverse-DNS tool whose
// workers call wg.Done at the end of their loop, and return from the
// loop on a lookup error without it, so main's wg.Wait never returns.
//
// Upstream: hakluke/hakrevdns#11 ("Defer wg.Done() and continue instead of return")
// Round: 7
//
// Bug: main feeds IPs from stdin into the work channel, starts
// opts.Threads workers, each counted by wg.Add(1), and waits. doWork
// ranges over work, looks each address up and prints the names; on a
// lookup error it returned, and wg.Done() sat at the bottom of doWork.
// The PR: "With wg.Done() at the bottom of doWork function and loop
// returning on error the program would freeze if there was an error."
// (Once every worker has returned, the feeder also blocks on work.)
// Command-line parsing is reduced to an options struct.
//
// Fix: defer wg.Done() at the top of doWork, and continue on an error.
package bug

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
)

// Options are the command-line options.
type Options struct {
	Threads    int
	ResolverIP string
	Protocol   string
	Port       uint16
}

func run(opts Options, in io.Reader) {
	numWorkers := opts.Threads

	work := make(chan string)
	go func() {
		s := bufio.NewScanner(in)
		for s.Scan() {
			work <- s.Text()
		}
		close(work)
	}()

	wg := &sync.WaitGroup{}
	for i := 0; i < numWorkers; i++ {
		wg.Add(1)
		go doWork(opts, work, wg)
	}
	wg.Wait() // heldout:site
}

func doWork(opts Options, work chan string, wg *sync.WaitGroup) {
	r := net.DefaultResolver
	if opts.ResolverIP != "" {
		r = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
				d := net.Dialer{}
				return d.DialContext(ctx, opts.Protocol, fmt.Sprintf("%s:%d", opts.ResolverIP, opts.Port))
			},
		}
	}

	for ip := range work {
		addr, err := r.LookupAddr(context.Background(), ip)
		if err != nil {
			return // heldout:site
		}
		for _, a := range addr {
			fmt.Println(ip, "\t", a)
		}
	}
	wg.Done()
}
