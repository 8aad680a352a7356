package chatimport

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, so callers can branch on the kind of failure without
// knowing either provider's codes. A *ValidationError matches
// ErrInvalidRequest; an *APIError matches at most one of them (see
// APIError.Kind): none only for a code neither table knows that came with a
// status that says nothing more, such as a 200 or a 3xx.
var (
	// ErrRateLimited: the provider refused the request for exceeding its rate limit.
	ErrRateLimited = errors.New("chatimport: rate limited")
	// ErrUnauthorized: the credentials are missing, wrong or expired.
	ErrUnauthorized = errors.New("chatimport: unauthorized")
	// ErrPermission: the credentials are valid but not allowed to do this.
	ErrPermission = errors.New("chatimport: permission denied")
	// ErrNotFound: the user, group or account does not exist.
	ErrNotFound = errors.New("chatimport: not found")
	// ErrInvalidRequest: the request or an item in it was refused as malformed.
	ErrInvalidRequest = errors.New("chatimport: invalid request")
	// ErrBatchTooLarge: the provider refused the number of entities in one request.
	ErrBatchTooLarge = errors.New("chatimport: batch too large")
	// ErrAlreadyExists: the entity exists already; imports report it as StatusExisted.
	ErrAlreadyExists = errors.New("chatimport: already exists")
	// ErrTemporary: a server-side failure that may succeed when tried again.
	ErrTemporary = errors.New("chatimport: temporary failure")
	// ErrDuplicate: an item repeats the id of an earlier item in the same call.
	ErrDuplicate = errors.New("chatimport: duplicate item")
	// ErrUnsupported: the Client's provider cannot serve the call.
	ErrUnsupported = errors.New("chatimport: not supported by this provider")
)

// Provider names as they appear in APIError.Provider.
const (
	ProviderCometChat = "cometchat"
	ProviderTencent   = "tencent"
)

// APIError is an error answered by a provider, for a whole request or for one
// item of an import. Its text never contains credentials: anything the server
// echoes is redacted before it is stored here.
type APIError struct {
	Provider   string              // ProviderCometChat or ProviderTencent
	HTTPStatus int                 // HTTP status of the answer (Tencent answers 200 even on failure)
	Code       string              // "ERR_TOO_MANY_REQUESTS", or a Tencent code as decimal text ("10006")
	Message    string              // the provider's message
	DevMessage string              // CometChat's developer message, if any
	Details    map[string][]string // CometChat's messages per field, on validation errors
	RetryAfter time.Duration       // how long the provider asked to wait, if it said so
	Op         string              // the request, e.g. "POST /data_import/users"; never has credentials
	Attempts   int                 // how many times the request was sent before this answer
}

// Error describes the answer: provider, request, status, code and message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	head := make([]string, 0, 2)
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		head = append(head, strconv.Itoa(e.HTTPStatus))
	}
	if e.Code != "" {
		head = append(head, e.Code)
	}
	b.WriteString(strings.Join(head, " "))
	if msg := e.Message; msg != "" {
		if len(head) > 0 {
			b.WriteString(": ")
		}
		b.WriteString(msg)
	}
	if e.DevMessage != "" && e.DevMessage != e.Message {
		b.WriteString(" (")
		b.WriteString(e.DevMessage)
		b.WriteByte(')')
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Is reports whether target is the sentinel for this error's code, or for its
// HTTP status when the code is not one the table knows.
func (e *APIError) Is(target error) bool {
	return target != nil && e.Kind() == target
}

// Kind returns the sentinel this error matches: by its code, in its own
// provider's table, or else by its HTTP status. It is nil for a code
// neither knows beside a status that says nothing more.
func (e *APIError) Kind() error {
	var k error
	switch e.Provider {
	case ProviderCometChat:
		k = cometChatKind(e.Code)
	case ProviderTencent:
		k = tencentKind(e.Code)
	}
	if k != nil {
		return k
	}
	return statusKind(e.HTTPStatus)
}

// temporary reports whether sending the same request again may succeed.
func (e *APIError) temporary() bool {
	k := e.Kind()
	return k == ErrTemporary || k == ErrRateLimited
}

// statusKind maps an HTTP status to a sentinel, or nil for statuses that say
// nothing about the kind of failure.
func statusKind(status int) error {
	switch {
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrPermission
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly, status >= 500:
		return ErrTemporary
	case status >= 400:
		return ErrInvalidRequest // 400, 413, 422 and any other refusal of the request itself
	}
	return nil
}

// ValidationError is an item refused before any request was sent.
type ValidationError struct {
	Index  int    // position of the item in the input; -1 when the options of a call are refused
	ID     string // the item's id as given (uid, or "<guid>_member_<uid>")
	Field  string // the offending field, named as on the wire (e.g. "uid", "groupDetails.type")
	Reason string
}

// Error names the item, its id and the field refused.
func (e *ValidationError) Error() string {
	if e.Index < 0 { // not an item of an input: a call's options
		return fmt.Sprintf("chatimport: %q: invalid %s: %s", e.ID, e.Field, e.Reason)
	}
	return fmt.Sprintf("chatimport: item %d (%q): invalid %s: %s", e.Index, e.ID, e.Field, e.Reason)
}

// Is matches ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// DuplicateError is a later item with the same id as an earlier item of the
// same call. It is not sent: sending both would let the second silently
// overwrite or be merged into the first.
type DuplicateError struct {
	Index   int    // position of the repeated item
	ID      string // its id
	First   int    // position of the item it repeats
	Differs bool   // whether its fields differ from the first item's
}

// Error names the repeat, the item it repeats, and whether they differ.
func (e *DuplicateError) Error() string {
	how := "identical"
	if e.Differs {
		how = "with different fields"
	}
	return fmt.Sprintf("chatimport: item %d (%q): duplicate of item %d, %s; not sent", e.Index, e.ID, e.First, how)
}

// Is matches ErrDuplicate.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// ImportError is returned by an import when some items were not imported. It
// counts them and unwraps to the distinct causes, so errors.Is and errors.As
// find a sentinel, *APIError, *ValidationError or context error among them.
//
// When the import stopped before the end of its input (the context ended,
// an error was fatal to the whole import, or the source failed), Unread is
// true and Read counts the items it pulled: a streaming import reports
// those and no others, and ImportResult marks a slice's unread items
// StatusSkipped. The reason it stopped is the first cause.
type ImportError struct {
	Failed  int  // items with StatusFailed
	Skipped int  // items with StatusSkipped
	Unread  bool // the import stopped before reading all of its input
	Read    int  // how many items it read
	causes  []error
	stopped error // why it stopped reading, when Unread
}

// maxCauses bounds what an ImportError keeps: a million failed items must not
// mean a million retained errors.
const maxCauses = 16

// Error counts the items not imported and quotes the first cause.
func (e *ImportError) Error() string {
	msg := fmt.Sprintf("chatimport: import: %d failed, %d skipped", e.Failed, e.Skipped)
	if e.Unread {
		msg = fmt.Sprintf("chatimport: import stopped after reading %d items, the rest not read: %d failed, %d skipped", e.Read, e.Failed, e.Skipped)
	}
	if len(e.causes) > 0 {
		msg += "; " + strings.TrimPrefix(e.causes[0].Error(), "chatimport: ")
		if n := len(e.causes) - 1; n > 0 {
			msg += fmt.Sprintf(" (and %d other causes)", n)
		}
	}
	return msg
}

// Unwrap returns the distinct causes, at most 16, in the order first seen.
func (e *ImportError) Unwrap() []error { return e.causes }

func (e *ImportError) add(r ItemResult) {
	switch r.Status {
	case StatusFailed:
		e.Failed++
	case StatusSkipped:
		e.Skipped++
	default:
		return
	}
	if r.Err == nil || len(e.causes) >= maxCauses {
		return
	}
	for _, c := range e.causes {
		if sameCause(c, r.Err) {
			return
		}
	}
	e.causes = append(e.causes, r.Err)
}

// sameCause treats errors of the same kind as one cause, so that the list of
// causes names kinds of failure rather than every failed item.
func sameCause(a, b error) bool {
	var va, vb *ValidationError
	if errors.As(a, &va) && errors.As(b, &vb) {
		return va.Field == vb.Field && va.Reason == vb.Reason
	}
	var da, db *DuplicateError
	if errors.As(a, &da) && errors.As(b, &db) {
		return true
	}
	var aa, ab *APIError
	if errors.As(a, &aa) && errors.As(b, &ab) {
		return aa.Provider == ab.Provider && aa.Code == ab.Code && aa.HTTPStatus == ab.HTTPStatus
	}
	return a.Error() == b.Error()
}
