package flagserver

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServesFlagsAndNotFound(t *testing.T) {
	srv, base := Start(0)
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server at %s; want loopback", srv.URL)
	}
	for cc, want := range map[string]int{"BR": 200, "cn": 200, "P1K": 404} {
		resp, err := http.Get(URL(base, cc))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: status %d; want %d", cc, resp.StatusCode, want)
		}
		if want == 200 && !bytes.Equal(body, Image(strings.ToLower(cc))) {
			t.Errorf("%s: wrong image", cc)
		}
	}
	if bytes.Equal(Image("br"), Image("cn")) {
		t.Error("flags of different countries are identical")
	}
}
