// Package fixed is the fixed version of waitgroup/hakrevdns_11: each
// worker defers wg.Done and skips failed lookups.
package fixed

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
	wg.Wait()
}

func doWork(opts Options, work chan string, wg *sync.WaitGroup) {
	defer wg.Done()
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
			continue
		}
		for _, a := range addr {
			fmt.Println(ip, "\t", a)
		}
	}
}
