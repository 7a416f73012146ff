// Command lelo ports the seeds' lelo: its @parallel decorator makes a call
// run in another process and return at once, the result fetched when it
// is used. Here //asyncgo:parallel makes a call return a
// *futures.Future at once; Result waits for it.
//
// The seeds' example, retr_url, fetches a URL in parallel: here from a
// local server on 127.0.0.1 whose pages are served only once two requests
// are in flight together, so the output shows the calls overlapped. Then
// a CPU-bound function runs on a process pool: lowered, each call runs in
// a worker process, as lelo's do (in direct mode, the closures run on the
// default thread pool: the same results).
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// RetrURL fetches url (lelo's retr_url).
//
//asyncgo:parallel
func RetrURL(url string) *futures.Future[string] {
	return futures.Parallel(func(ctx context.Context) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	})
}

// CountPrimes counts the primes in [lo, hi) by trial division: work for a
// CPU, not for a GIL.
//
//asyncgo:parallel
func CountPrimes(lo, hi int) *futures.Future[int] {
	return futures.Parallel(func(context.Context) (int, error) {
		n := 0
		for x := max(lo, 2); x < hi; x++ {
			prime := true
			for d := 2; d*d <= x; d++ {
				if x%d == 0 {
					prime = false
					break
				}
			}
			if prime {
				n++
			}
		}
		return n, nil
	})
}

func main() {
	futures.WorkerMain() // the process pool's workers serve here
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Four workers whatever the machine: two fetches must overlap.
	threads := futures.NewThreadPool(futures.MaxWorkers(4))
	defer threads.Shutdown(true, false)
	defer futures.SetParallelExecutor(futures.SetParallelExecutor(threads))

	release := make(chan struct{})
	srv, err := pairedServer(release)
	if err != nil {
		return err
	}
	defer srv.Close()
	base := "http://" + srv.Addr
	var pages []*futures.Future[string]
	for _, p := range []string{"/a", "/b", "/c", "/d"} {
		pages = append(pages, RetrURL(base+p)) // returns at once
	}
	fmt.Fprintf(w, "retr_url called 4 times; done right away: %d\n", countDone(pages))
	close(release) // the server answers from now on
	for _, f := range pages {
		body, err := f.Result(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, body)
	}

	procs, err := futures.NewProcessPool(futures.MaxWorkers(2))
	if err != nil {
		return err
	}
	defer procs.Shutdown(true, false)
	futures.SetParallelExecutor(procs)
	var counts []*futures.Future[int]
	for lo := 0; lo < 400_000; lo += 100_000 {
		counts = append(counts, CountPrimes(lo, lo+100_000))
	}
	total := 0
	for i, f := range counts {
		n, err := f.Result(ctx)
		if err != nil {
			return err
		}
		total += n
		fmt.Fprintf(w, "primes in [%d, %d): %d\n", i*100_000, (i+1)*100_000, n)
	}
	fmt.Fprintf(w, "primes below 400000: %d\n", total)
	return nil
}

func countDone[T any](fs []*futures.Future[T]) int {
	n := 0
	for _, f := range fs {
		if f.Done() {
			n++
		}
	}
	return n
}

// pairedServer serves pages on 127.0.0.1 once release is closed, each
// once it and another request are in flight together (or after 10
// seconds, saying so).
func pairedServer(release <-chan struct{}) (*http.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	waiting := []chan struct{}{}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		me := make(chan struct{})
		mu.Lock()
		if len(waiting) > 0 {
			close(waiting[0])
			waiting = waiting[1:]
			close(me)
		} else {
			waiting = append(waiting, me)
		}
		mu.Unlock()
		<-release
		overlapped := "with another request in flight"
		select {
		case <-me:
		case <-time.After(10 * time.Second):
			overlapped = "ALONE: the calls did not overlap"
		}
		fmt.Fprintf(w, "page %s, served %s", strings.TrimPrefix(r.URL.Path, "/"), overlapped)
	})}
	go srv.Serve(ln)
	return srv, nil
}
