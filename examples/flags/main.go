// Command flags ports the seeds' flag downloads (Fluent Python ch. 17):
// the twenty most populous countries' flags fetched one by one, then with a
// thread pool's Map, then with Submit and AsCompleted, from a local server
// on 127.0.0.1 that answers after a delay, as the network would.
//
// The seeds' list has a typo, P1K, which the server does not know: like
// the flags2 examples, a missing flag is counted, not fatal.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/internal/flagserver"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

const maxWorkers = 20

var errNotFound = errors.New("not found")

// downloader fetches flags from baseURL into dir.
type downloader struct {
	baseURL string
	dir     string
	client  *http.Client
}

func (d *downloader) getFlag(ctx context.Context, cc string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", flagserver.URL(d.baseURL, cc), nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, errNotFound
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s", cc, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// downloadOne fetches and saves one flag and returns its status, as
// flags2 reports it: the code, or the code and "?" when the server has no
// such flag. Any other failure is an error.
func (d *downloader) downloadOne(ctx context.Context, cc string) (string, error) {
	img, err := d.getFlag(ctx, cc)
	switch {
	case errors.Is(err, errNotFound):
		return cc + "?", nil
	case err != nil:
		return "", err
	}
	return cc, os.WriteFile(filepath.Join(d.dir, strings.ToLower(cc)+".gif"), img, 0o644)
}

// summary counts the statuses as flags2 does.
func summary(statuses []string) string {
	missing := 0
	for _, s := range statuses {
		if strings.HasSuffix(s, "?") {
			missing++
		}
	}
	return fmt.Sprintf("%d flags downloaded, %d not found", len(statuses)-missing, missing)
}

func (d *downloader) sequential(ctx context.Context, ccs []string) ([]string, error) {
	var statuses []string
	for _, cc := range ccs {
		st, err := d.downloadOne(ctx, cc)
		if err != nil {
			return nil, err
		}
		statuses = append(statuses, st)
	}
	return statuses, nil
}

// poolMap is the seeds' executor.map version: results in input order.
func (d *downloader) poolMap(ctx context.Context, ccs []string) ([]string, error) {
	pool := futures.NewThreadPool(futures.MaxWorkers(min(maxWorkers, len(ccs))))
	defer pool.Shutdown(true, true)
	var statuses []string
	for st, err := range futures.Map(ctx, pool, d.downloadOne, slices.Values(ccs)) {
		if err != nil {
			return nil, err
		}
		statuses = append(statuses, st)
	}
	return statuses, nil
}

// submitAsCompleted is the seeds' submit + as_completed version; results
// come in completion order, so they are returned sorted.
func (d *downloader) submitAsCompleted(ctx context.Context, ccs []string) ([]string, error) {
	pool := futures.NewThreadPool(futures.MaxWorkers(3))
	defer pool.Shutdown(true, true)
	var todo []*futures.Future[string]
	for _, cc := range ccs {
		f, err := futures.Submit(pool, func(ctx context.Context) (string, error) { return d.downloadOne(ctx, cc) }, futures.Name(cc))
		if err != nil {
			return nil, err
		}
		todo = append(todo, f)
	}
	var statuses []string
	for f, err := range futures.AsCompleted(ctx, todo) {
		if err != nil {
			return nil, err
		}
		st, err := f.Result(ctx)
		if err != nil {
			return nil, err
		}
		statuses = append(statuses, st)
	}
	slices.Sort(statuses)
	return statuses, nil
}

func run(w io.Writer, delay time.Duration) error {
	srv, base := flagserver.Start(delay)
	defer srv.Close()
	dir, err := os.MkdirTemp("", "flags")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return download(w, &downloader{baseURL: base, dir: dir, client: srv.Client()}, slices.Sorted(slices.Values(flagserver.POP20)))
}

func download(w io.Writer, d *downloader, ccs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, v := range []struct {
		name string
		fn   func(context.Context, []string) ([]string, error)
	}{
		{"sequential", d.sequential},
		{"ThreadPool Map", d.poolMap},
		{"Submit + AsCompleted", d.submitAsCompleted},
	} {
		t0 := time.Now()
		statuses, err := v.fn(ctx, ccs)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s: %s \n%s\n", v.name, strings.Join(statuses, " "), summary(statuses))
		fmt.Fprintf(os.Stderr, "%s: %.2fs\n", v.name, time.Since(t0).Seconds())
	}
	return nil
}

func main() {
	delay := flag.Duration("delay", 50*time.Millisecond, "the local server's latency per flag")
	flag.Parse()
	if err := run(os.Stdout, *delay); err != nil {
		log.Fatal(err)
	}
}
