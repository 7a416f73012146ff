// Package flagserver serves the seeds' flag images (Fluent Python's
// flupy.org/data/flags) from memory, so that the download examples and
// their tests run against a local server on 127.0.0.1 instead of the
// internet.
package flagserver

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// POP20 are the seeds' twenty most populous countries, typo included: P1K
// has no flag, which exercises the error path.
var POP20 = strings.Fields("CN IN US ID BR P1K NG BD RU JP MX PH VN ET EG DE IR TR CD FR")

// Image returns the bytes served for country code cc (lower case): a
// stand-in GIF, distinct per country.
func Image(cc string) []byte {
	sum := sha256.Sum256([]byte(cc))
	return append([]byte("GIF89a"), sum[:]...)
}

// Handler serves GET /flags/{cc}/{cc}.gif for every two-letter code, after
// delay, and 404 for anything else.
func Handler(delay time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /flags/{cc}/{file}", func(w http.ResponseWriter, r *http.Request) {
		cc := r.PathValue("cc")
		if len(cc) != 2 || r.PathValue("file") != cc+".gif" || strings.ToLower(cc) != cc {
			http.NotFound(w, r)
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "image/gif")
		w.Write(Image(cc))
	})
	return mux
}

// Start starts a server on 127.0.0.1 and returns it with the base URL of
// its flags (BASE_URL in the seeds). Close it when done.
func Start(delay time.Duration) (srv *httptest.Server, baseURL string) {
	srv = httptest.NewServer(Handler(delay))
	return srv, srv.URL + "/flags"
}

// URL returns the address of cc's flag under baseURL, as the seeds'
// get_flag builds it.
func URL(baseURL, cc string) string {
	cc = strings.ToLower(cc)
	return fmt.Sprintf("%s/%s/%s.gif", baseURL, cc, cc)
}
