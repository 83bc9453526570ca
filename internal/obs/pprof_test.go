package obs

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPprofHandler(t *testing.T) {
	srv := httptest.NewServer(PprofHandler())
	defer srv.Close()
	cases := []struct {
		path, want string
		status     int
	}{
		{"/debug/pprof/", "goroutine", http.StatusOK},
		{"/debug/pprof/goroutine?debug=1", "goroutine profile", http.StatusOK},
		{"/debug/pprof/heap?debug=1", "heap profile", http.StatusOK},
		{"/debug/pprof/cmdline", "obs.test", http.StatusOK},
		{"/debug/pprof/nosuchprofile", "Unknown profile", http.StatusNotFound},
		{"/metrics", "", http.StatusNotFound},
	}
	for _, tc := range cases {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: status %d, body %.80q; want %d containing %q", tc.path, resp.StatusCode, body, tc.status, tc.want)
		}
	}
}
