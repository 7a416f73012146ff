// Package fixed is the fixed version of chanrecv/aistore_30: every worker
// closes its result channel on the way out, whether it failed or not.
package fixed

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
	defer func() {
		close(resch)
		wg.Done()
	}()

	for keyname := range keynames {
		written, failed := d.getAndCopyOne(id, errch, keyname)
		if failed {
			return
		}
		res.totfiles++
		res.totbytes += written
	}
	resch <- res
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
		res := <-resultChans[i]
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
