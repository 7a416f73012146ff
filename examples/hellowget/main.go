// Command hellowget is the seeds' asyncio wget (案例v10): three
// coroutines each open a connection, send an HTTP/1.0 request and print
// the response's header lines as they come, all on one loop. The seed
// fetched www.sina.com.cn, www.sohu.com and www.163.com; here a local
// server on 127.0.0.1 answers for those names, so that the program runs
// without the internet and always gets the same headers.
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Hosts are the seed's.
var Hosts = []string{"www.sina.com.cn", "www.sohu.com", "www.163.com"}

// wget fetches / of host from addr and prints the header lines.
//
//asyncgo:async
func wget(w io.Writer, addr, host string) *aio.Coroutine[struct{}] {
	return aio.Async(func(t *aio.Task) (struct{}, error) {
		fmt.Fprintf(w, "wget %s...\n", host)
		reader, writer, err := aio.OpenConnection(t, addr)
		if err != nil {
			return struct{}{}, err
		}
		defer writer.Close()
		fmt.Fprintf(writer, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host)
		if err := writer.Drain(t); err != nil {
			return struct{}{}, err
		}
		for {
			line, err := reader.ReadLine(t)
			if err != nil {
				return struct{}{}, err
			}
			if string(line) == "\r\n" {
				break
			}
			fmt.Fprintf(w, "%s header > %s\n", host, strings.TrimRight(string(line), "\r\n"))
		}
		// Ignore the body, close the socket.
		return struct{}{}, nil
	})
}

// run fetches every host from addr, concurrently, as the seed's
// loop.run_until_complete(asyncio.wait(tasks)).
func run(w io.Writer, addr string, hosts []string) error {
	_, err := aio.Run(aio.Async(func(t *aio.Task) (struct{}, error) {
		var tasks []*aio.Handle[struct{}]
		for _, h := range hosts {
			tasks = append(tasks, aio.CreateTask(t, wget(w, addr, h)))
		}
		done, _, err := aio.Wait(t, tasks, aio.AllCompleted)
		for _, d := range done {
			if err := d.Err(); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, err
	}))
	return err
}

// stagger spaces the answers to the hosts, in the order of Hosts, as the
// seed's three real servers answered at different times; it makes the
// output's order the same on every run.
const stagger = 50 * time.Millisecond

// Handler answers as a web server hosting every name would, with fixed
// headers (no Date), the i-th of Hosts after i staggers.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := slices.Index(Hosts, r.Host); i > 0 {
			select {
			case <-time.After(time.Duration(i) * stagger):
			case <-r.Context().Done():
				return
			}
		}
		h := w.Header()
		h["Date"] = nil
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Server", "asyncgo-example")
		h.Set("X-Host", r.Host)
		fmt.Fprintf(w, "<html><body>%s</body></html>\n", r.Host)
	})
}

func main() {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	if err := run(os.Stdout, srv.Listener.Addr().String(), Hosts); err != nil {
		log.Fatal(err)
	}
}
