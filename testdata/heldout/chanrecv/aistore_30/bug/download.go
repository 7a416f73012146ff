// Package bug is a held-out kernel (issue 14): a parallel download whose
// workers each report on their own result channel only when they read
// every object; a worker that fails returns without sending or closing,
// and the collector's receive from that channel waits for ever.
//
// Upstream: NVIDIA/aistore#30 ("download test hung if any worker failed to read at least one object")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the download test starts numworkers getAndCopyTmp goroutines, each
// with a keyname channel and a result channel of one slot. A worker ranges
// over its keynames and, at the end, sends its workres and closes resch;
// when one GET fails it returns early (only wg.Done is deferred), so its
// resch gets neither a value nor a close. After wg.Wait the collector does
// res := <-resultChans[i] for every worker and hangs on the failed one
// ("If nothing in channel and it is not closed ... for loop hangs
// forever"). The HTTP copy and the testing.T plumbing are reduced to an
// error return and an error channel (our reduction).
//
// Fix: the worker's deferred function closes resch before wg.Done, so the
// collector reads a zero result from a failed worker.
package bug

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

type workres struct {
	totfiles int
	totbytes int64
}

// Downloader reads objects from a bucket through the proxy.
type Downloader struct {
	ProxyURL string
	Bucket   string
	Client   *http.Client
}

func (d *Downloader) getAndCopyOne(id int, errch chan error, keyname string) (written int64, failed bool) {
	url := d.ProxyURL + "/v1/objects/" + d.Bucket + "/" + keyname
	resp, err := d.Client.Get(url)
	if err != nil {
		errch <- fmt.Errorf("worker %2d: get %s: %v", id, keyname, err)
		return 0, true
	}
	defer resp.Body.Close()
	if resp.StatusCode >= http.StatusBadRequest {
		errch <- fmt.Errorf("worker %2d: get %s: http error %d", id, keyname, resp.StatusCode)
		return 0, true
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		errch <- err
		return n, true
	}
	return n, false
}

func (d *Downloader) getAndCopyTmp(id int, keynames <-chan string, wg *sync.WaitGroup,
	errch chan error, resch chan workres) {
	res := workres{0, 0}
	defer wg.Done()

	for keyname := range keynames {
		written, failed := d.getAndCopyOne(id, errch, keyname)
		if failed {
			return // heldout:site
		}
		res.totfiles++
		res.totbytes += written
	}
	resch <- res
	close(resch)
}

// Download spreads keys over numworkers workers and sums their results.
func (d *Downloader) Download(keys []string, numworkers int) (int, int64, error) {
	errch := make(chan error, len(keys))
	keynameChans := make([]chan string, numworkers)
	resultChans := make([]chan workres, numworkers)
	wg := &sync.WaitGroup{}
	for i := 0; i < numworkers; i++ {
		keynameChans[i] = make(chan string, len(keys))
		resultChans[i] = make(chan workres, 1)
		wg.Add(1)
		go d.getAndCopyTmp(i, keynameChans[i], wg, errch, resultChans[i])
	}
	for i, key := range keys {
		keynameChans[i%numworkers] <- key
	}
	for i := 0; i < numworkers; i++ {
		close(keynameChans[i])
	}
	wg.Wait()

	var sumfiles int
	var sumbytes int64
	for i := 0; i < numworkers; i++ {
		res := <-resultChans[i] // heldout:site
		sumfiles += res.totfiles
		sumbytes += res.totbytes
	}
	select {
	case err := <-errch:
		return sumfiles, sumbytes, err
	default:
	}
	return sumfiles, sumbytes, nil
}
