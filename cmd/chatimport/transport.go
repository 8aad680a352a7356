package main

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// meter counts the requests a client sends and how each attempt ended, so
// the summary can show the failures that retries absorbed. The library
// retries below the client, so every attempt passes through here.
type meter struct {
	base http.RoundTripper

	mu       sync.Mutex
	total    int
	byStatus map[int]int
	lost     int // no answer at all: connection dropped or timed out
}

func newMeteredClient() (*http.Client, *meter) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Enough idle connections for any -concurrency, so connections are reused
	// rather than opened for each request.
	t.MaxIdleConnsPerHost = 64
	m := &meter{base: t, byStatus: map[int]int{}}
	return &http.Client{Transport: m, Timeout: time.Minute}, m
}

// RoundTrip sends req on and counts it and its outcome.
func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.base.RoundTrip(req)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err == nil:
		m.total++
		m.byStatus[resp.StatusCode]++
	case req.Context().Err() == nil: // not our own Ctrl-C
		m.total++
		m.lost++
	}
	return resp, err
}

// failed returns how many attempts got no useful answer, and what they got,
// e.g. "4× 429, 2× 503, 1× no answer (connection lost)".
func (m *meter) failed() (int, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.lost
	var parts []string
	codes := make([]int, 0, len(m.byStatus))
	for code := range m.byStatus {
		if code >= 300 {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		n += m.byStatus[code]
		parts = append(parts, fmt.Sprintf("%d× %d", m.byStatus[code], code))
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
