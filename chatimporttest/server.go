package chatimporttest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Credentials the fake accepts unless an option replaces them. They are
// deliberately fake so that a test can never be mistaken for a real account.
const (
	// AppID is only part of a client's configuration: the real app ID lives
	// in the CometChat host name, which the fake does not have.
	AppID = "fake-app"
	// APIKey is the CometChat REST key the fake expects in the apikey header.
	APIKey = "fake-api-key"
	// SDKAppID is the Tencent application the fake impersonates.
	SDKAppID uint64 = 1400000000
	// SecretKey signs and verifies Tencent UserSigs for SDKAppID.
	SecretKey = "fake-secret-key"
	// Admin is the Tencent App admin; only it may call the REST API.
	Admin = "administrator"
)

const (
	pathImportUsers   = "/v3/data_import/users"
	pathImportGroups  = "/v3/data_import/groups"
	pathImportMembers = "/v3/data_import/members"
	pathUsers         = "/v3/users"
	pathGroupList     = "/v3/groups"
	pathGroups        = "/v3/groups/"
	pathTencentImport = "/v4/group_open_http_svc/import_group_member"
)

// Server is a running fake of both providers on a loopback address.
// Its methods are safe for concurrent use, also while requests are served.
type Server struct {
	// URL is the base URL of the form http://127.0.0.1:port, like
	// httptest.Server.URL. CometChat clients use URL+"/v3", Tencent ones URL.
	URL string

	cfg          config
	srv          *httptest.Server
	closing      chan struct{}
	closeOnce    sync.Once
	faults       *faultPicker
	cometLimit   *window
	tencentLimit *window
	tc           *tencentFake

	mu sync.Mutex // guards st
	st store
}

// NewServer starts a fake that serves until Close. Like httptest.NewServer
// it panics when it cannot listen, and it also panics on invalid options
// (such as a fault probability outside [0,1], or a limit without a
// period) because those are bugs in the test, not conditions to handle.
// It enforces no rate limit unless an option turns one on.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		panic("chatimporttest: " + err.Error())
	}
	s := &Server{
		cfg:          cfg,
		closing:      make(chan struct{}),
		faults:       newFaultPicker(cfg.faults, cfg.seed, cfg.seeded),
		cometLimit:   newWindow(cfg.cometLimit),
		tencentLimit: newWindow(cfg.tencentLimit),
		tc:           newTencentFake(cfg),
		st:           newStore(),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.route))
	s.URL = s.srv.URL
	return s
}

// Close stops the server and waits for requests in flight; requests held by
// an injected Latency are abandoned rather than waited for.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Close()
}

func (s *Server) now() time.Time { return s.cfg.clock() }

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	s.count(func(st *Stats) { st.Requests++ })
	switch p := r.URL.Path; {
	case p == pathImportUsers:
		s.cometOnly(w, r, http.MethodPost, func() { s.cometImport(w, r, s.usersKind()) })
	case p == pathImportGroups:
		s.cometOnly(w, r, http.MethodPost, func() { s.cometImport(w, r, s.groupsKind()) })
	case p == pathImportMembers:
		s.cometOnly(w, r, http.MethodPost, func() { s.cometImport(w, r, s.membersKind()) })
	case p == pathUsers:
		s.cometOnly(w, r, http.MethodGet, func() { s.listUsers(w, r) })
	case p == pathGroupList:
		s.cometOnly(w, r, http.MethodGet, func() { s.listGroups(w, r) })
	case p == pathTencentImport:
		s.tencentImport(w, r)
	case strings.HasPrefix(p, pathGroups) && strings.HasSuffix(p, "/members"):
		guid := strings.TrimSuffix(strings.TrimPrefix(p, pathGroups), "/members")
		if guid == "" || strings.Contains(guid, "/") {
			writeNotFound(w)
			return
		}
		s.cometOnly(w, r, http.MethodGet, func() { s.listMembers(w, r, guid) })
	default:
		if !s.tencentServe(w, r) {
			writeNotFound(w)
		}
	}
}

// cometOnly answers a wrong method in CometChat's error shape, so a client
// bug shows up as a readable error rather than the standard library's text.
func (s *Server) cometOnly(w http.ResponseWriter, r *http.Request, method string, next func()) {
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeCometError(w, http.StatusMethodNotAllowed, newCometError("ERR_METHOD_NOT_ALLOWED",
			"The method "+r.Method+" is not allowed here; use "+method+".", nil))
		return
	}
	next()
}

func writeNotFound(w http.ResponseWriter) {
	writeCometError(w, http.StatusNotFound, newCometError("ERR_NOT_FOUND", "The requested resource does not exist.", nil))
}

// pause applies the configured Latency. It reports false when the client
// went away or the server is closing, in which case the caller must stop
// without touching state, as a real server would for an abandoned request.
func (s *Server) pause(r *http.Request) bool {
	d := s.cfg.faults.Latency
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}
