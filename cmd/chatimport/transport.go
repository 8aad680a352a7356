package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatimport/chatimport"
)

// meter counts the requests a client sends and how each attempt ended, so
// the summary can show the failures that retries absorbed. The library
// retries below the client, so every attempt passes through here.
type meter struct {
	base http.RoundTripper
	// tencent: Tencent answers HTTP 200 to a failed request too, with the
	// failure in the body's ErrorCode, so its bodies are looked into.
	tencent bool

	mu      sync.Mutex
	total   int
	failure map[string]int // by what the attempt got: "429", "Tencent 10002"
	lost    int            // no answer at all: connection dropped or timed out
}

func newMeteredClient(provider string) (*http.Client, *meter) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Enough idle connections for any -concurrency, so connections are reused
	// rather than opened for each request.
	t.MaxIdleConnsPerHost = 64
	m := &meter{base: t, tencent: provider == chatimport.ProviderTencent, failure: map[string]int{}}
	return &http.Client{Transport: m, Timeout: time.Minute}, m
}

// RoundTrip sends req on and counts it and its outcome.
func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.base.RoundTrip(req)
	failure, cut := "", false
	switch {
	case err != nil:
	case resp.StatusCode >= 300:
		failure = strconv.Itoa(resp.StatusCode)
	case m.tencent:
		failure, cut = tencentFailure(resp)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err == nil && !cut:
		m.total++
		if failure != "" {
			m.failure[failure]++
		}
	case req.Context().Err() == nil: // not our own Ctrl-C
		m.total++
		m.lost++
	}
	return resp, err
}

// tencentFailure reads a Tencent answer's ErrorCode and puts the body back
// for the library to read, cut where it was cut, if it was.
func tencentFailure(resp *http.Response) (failure string, cut bool) {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return "", true
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var env struct{ ErrorCode int }
	if json.Unmarshal(body, &env) != nil || env.ErrorCode == 0 {
		return "", false // what is not an answer is the library's to judge
	}
	return fmt.Sprintf("Tencent %d", env.ErrorCode), false
}

// errReader fails every read with err.
type errReader struct{ err error }

// Read returns the error.
func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// failed returns how many attempts got no useful answer, and what they got,
// e.g. "4× 429, 2× 503, 3× Tencent 10002, 1× no answer (connection lost)".
func (m *meter) failed() (int, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.lost
	var parts []string
	// Status codes first, then Tencent's codes, each in order.
	kinds := slices.SortedFunc(maps.Keys(m.failure), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
	})
	for _, k := range kinds {
		n += m.failure[k]
		parts = append(parts, fmt.Sprintf("%d× %s", m.failure[k], k))
	}
	if m.lost > 0 {
		parts = append(parts, fmt.Sprintf("%d× no answer (connection lost)", m.lost))
	}
	return n, strings.Join(parts, ", ")
}

func (m *meter) requests() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// errDryRun is what every request of a dry run fails with.
var errDryRun = errors.New("dry run: not sent")

// refusal is the transport of a dry run: the library validates every item
// before it would send it, then hands the request here, where it ends. So
// the provider's rules are applied by the library itself, not copied here.
type refusal struct{}

// RoundTrip refuses req: a dry run never sends anything.
func (refusal) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close() // a RoundTripper closes the body, even on error
	}
	return nil, errDryRun
}
