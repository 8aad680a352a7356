package chatimporttest

import (
	"io"
	"net/http"
	"time"
)

// entityResult is one entry of an import answer's "data" object.
type entityResult struct {
	Success bool        `json:"success"`
	Data    any         `json:"data,omitempty"`
	Error   *cometError `json:"error,omitempty"`
}

func failed(code, msg string, details fieldErrors) *entityResult {
	return &entityResult{Error: newCometError(code, msg, details)}
}

// importKind is what differs between the CometChat import endpoints.
type importKind struct {
	field     string // the body's wrapper object
	importOne func(e entry, now time.Time) *entityResult
}

func (s *Server) usersKind() importKind { return importKind{field: "users", importOne: s.importUser} }
func (s *Server) groupsKind() importKind {
	return importKind{field: "groups", importOne: s.importGroup}
}
func (s *Server) membersKind() importKind {
	return importKind{field: "members", importOne: s.importMember}
}

// apply imports the entries one by one under one lock, so a batch is
// judged against the state it found plus its own earlier entries.
func (s *Server) apply(kind importKind, entries []entry, now time.Time) map[string]*entityResult {
	out := make(map[string]*entityResult, len(entries))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		out[e.key] = kind.importOne(e, now)
	}
	return out
}

// cometAuth checks the apikey header. Its messages never contain the key
// sent, so a test log never leaks one either.
func (s *Server) cometAuth(r *http.Request) *cometError {
	switch key := r.Header.Get("apikey"); {
	case key == "":
		return newCometError("AUTH_ERR_EMPTY_APIKEY", "The apikey header is missing or empty.", nil)
	case key != s.cfg.apiKey:
		return newCometError("AUTH_ERR_APIKEY_NOT_FOUND", "The apikey provided does not match any API key of this app.", nil)
	}
	return nil
}

func tooManyRequests() *cometError {
	return newCometError("ERR_TOO_MANY_REQUESTS", "Too many requests to the data import endpoints; retry after the time given in Retry-After.", nil)
}

func badRequest(msg string) *cometError { return newCometError("ERR_BAD_REQUEST", msg, nil) }

// cometImport judges one import request: auth, rate limit, injected fault,
// then validation and apply.
func (s *Server) cometImport(w http.ResponseWriter, r *http.Request, kind importKind) {
	s.count(func(st *Stats) { st.ImportRequests++ })
	if !s.pause(r) {
		panic(http.ErrAbortHandler)
	}
	now := s.now()
	if e := s.cometAuth(r); e != nil {
		s.cometLimit.peek(now).setHeaders(w.Header())
		writeCometError(w, http.StatusUnauthorized, e)
		return
	}
	q := s.cometLimit.take(now)
	q.setHeaders(w.Header())
	if !q.allowed {
		s.count(func(st *Stats) { st.RateLimited++ })
		w.Header().Set("Retry-After", q.retryAfter(now))
		writeCometError(w, http.StatusTooManyRequests, tooManyRequests())
		return
	}
	f := s.faults.draw(false)
	switch f {
	case faultRateLimit:
		s.count(func(st *Stats) { st.RateLimited++; st.Faults.add(f) })
		w.Header().Set("Retry-After", s.faults.retryAfter())
		writeCometError(w, http.StatusTooManyRequests, tooManyRequests())
		return
	case faultUnavailable:
		s.count(func(st *Stats) { st.Faults.add(f) })
		writeHTML(w, http.StatusServiceUnavailable, unavailableHTML)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeCometError(w, http.StatusBadRequest, badRequest("The request body could not be read."))
		return
	}
	entries, refusal := decodeBatch(body, kind.field)
	if refusal != "" {
		writeCometError(w, http.StatusBadRequest, badRequest(refusal))
		return
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.key
	}
	s.noteBatch(len(ids), ids)
	if len(entries) > s.cfg.cometBatch {
		writeCometError(w, http.StatusBadRequest, badRequest(
			"At most "+itoa(s.cfg.cometBatch)+" "+kind.field+" may be imported per request; nothing was imported."))
		return
	}
	data := s.apply(kind, entries, now)
	// After-apply faults fire only once something was applied, so a
	// request-level 400 is never disguised as a retryable failure.
	switch f {
	case faultFailAfterApply:
		s.count(func(st *Stats) { st.Faults.add(f) })
		writeCometError(w, http.StatusInternalServerError, newCometError("ERR_MISSION_FAILED",
			"The operation failed because of an internal error; please retry.", nil))
	case faultDropAfterApply:
		s.count(func(st *Stats) { st.Faults.add(f) })
		dropConnection(w)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"data": data})
	}
}
