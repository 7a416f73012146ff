// Command flagsaio is the seeds' flag download on an event loop (Fluent
// Python ch. 18, flags_asyncio.py and flags2_asyncio.py): one task per
// country, at most 20 requests at a time (a Semaphore), results taken as
// they complete (AsCompleted), files saved on a thread (ToThread) so that
// the disk does not block the loop. The seed's HTTP client is aiohttp;
// here getFlag speaks HTTP/1.1 itself over aio's TCP streams, to the
// local flag server on 127.0.0.1 that examples/flags uses too.
//
// As in flags2, the seeds' typo P1K is a flag not found, counted.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/internal/flagserver"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

const maxConcurrency = 20

var errNotFound = errors.New("not found")

// downloader fetches flags from baseURL into dir.
type downloader struct {
	baseURL string
	dir     string
	sem     *aio.Semaphore
}

// httpGet fetches rawURL with a minimal HTTP/1.1 client on aio's streams
// and returns the status code and body.
//
//asyncgo:async
func httpGet(rawURL string) *aio.Coroutine[[]byte] {
	return aio.Async(func(t *aio.Task) ([]byte, error) {
		u, err := url.Parse(rawURL)
		if err != nil {
			return nil, err
		}
		r, w, err := aio.OpenConnection(t, u.Host)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		fmt.Fprintf(w, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", u.RequestURI(), u.Host)
		if err := w.Drain(t); err != nil {
			return nil, err
		}
		status, err := r.ReadLine(t)
		if err != nil {
			return nil, fmt.Errorf("%s: status line: %w", rawURL, err)
		}
		fields := strings.Fields(string(status))
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s: bad status line %q", rawURL, status)
		}
		length := -1
		for {
			line, err := r.ReadLine(t)
			if err != nil {
				return nil, fmt.Errorf("%s: header: %w", rawURL, err)
			}
			line = bytes.TrimRight(line, "\r\n")
			if len(line) == 0 {
				break
			}
			if k, v, ok := strings.Cut(string(line), ":"); ok && strings.EqualFold(k, "Content-Length") {
				if length, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
					return nil, fmt.Errorf("%s: Content-Length %q", rawURL, v)
				}
			}
		}
		switch fields[1] {
		case "200":
		case "404":
			return nil, errNotFound
		default:
			return nil, fmt.Errorf("%s: %s", rawURL, bytes.TrimSpace(status))
		}
		if length >= 0 {
			return r.ReadExactly(t, length)
		}
		return r.Read(t, -1)
	})
}

// downloadOne fetches and saves one flag, and returns its code.
//
//asyncgo:async
func (d *downloader) downloadOne(cc string) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		if err := d.sem.Acquire(t); err != nil {
			return "", err
		}
		img, err := aio.Await(t, httpGet(flagserver.URL(d.baseURL, cc)))
		d.sem.Release()
		if err != nil {
			return "", err
		}
		name := filepath.Join(d.dir, strings.ToLower(cc)+".gif")
		_, err = aio.ToThread(t, func() (struct{}, error) { return struct{}{}, os.WriteFile(name, img, 0o644) })
		return cc, err
	})
}

// tally counts outcomes as flags2 does.
type tally struct{ ok, notFound int }

func (t tally) String() string {
	return fmt.Sprintf("%d flags downloaded, %d not found", t.ok, t.notFound)
}

// downloadMany runs a task per flag and takes the results as they
// complete; as they come in any order, the codes are printed sorted.
//
//asyncgo:async
func (d *downloader) downloadMany(w io.Writer, ccs []string) *aio.Coroutine[tally] {
	return aio.Async(func(t *aio.Task) (tally, error) {
		var tasks []*aio.Handle[string]
		for _, cc := range ccs {
			tasks = append(tasks, aio.CreateTask(t, d.downloadOne(cc), aio.Name(cc)))
		}
		var res tally
		var got []string
		for h, err := range aio.AsCompleted(t, tasks) {
			if err != nil {
				return res, err
			}
			switch _, err := h.Result(); {
			case errors.Is(err, errNotFound):
				res.notFound++
				got = append(got, h.Name()+"?")
			case err != nil:
				return res, err // the others are cancelled as Run ends
			default:
				res.ok++
				got = append(got, h.Name())
			}
		}
		slices.Sort(got)
		fmt.Fprint(w, strings.Join(got, " ")+" ")
		return res, nil
	})
}

func download(w io.Writer, d *downloader, ccs []string) error {
	fmt.Fprint(w, "asyncio streams: ")
	t0 := time.Now()
	res, err := aio.Run(d.downloadMany(w, ccs))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%v\n", res)
	fmt.Fprintf(os.Stderr, "asyncio streams: %.2fs\n", time.Since(t0).Seconds())
	return nil
}

func run(w io.Writer, delay time.Duration) error {
	srv, base := flagserver.Start(delay)
	defer srv.Close()
	dir, err := os.MkdirTemp("", "flagsaio")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return download(w, newDownloader(base, dir), slices.Sorted(slices.Values(flagserver.POP20)))
}

func newDownloader(baseURL, dir string) *downloader {
	return &downloader{baseURL: baseURL, dir: dir, sem: aio.NewSemaphore(maxConcurrency)}
}

func main() {
	delay := flag.Duration("delay", 50*time.Millisecond, "the local server's latency per flag")
	flag.Parse()
	if err := run(os.Stdout, *delay); err != nil {
		log.Fatal(err)
	}
}
