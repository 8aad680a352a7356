package chatimport

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors. Every *APIError and *ValidationError matches exactly one of
// them with errors.Is, so callers can branch on the kind of failure without
// knowing either provider's codes.
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
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteByte(' ')
	}
	if e.Code != "" {
		b.WriteString(e.Code)
	}
	if msg := e.Message; msg != "" {
		b.WriteString(": ")
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

// Kind returns the sentinel this error matches, or nil for an unknown code
// with a status that says nothing more.
func (e *APIError) Kind() error {
	switch e.Provider {
	case ProviderTencent:
		if code, err := strconv.Atoi(e.Code); err == nil {
			if k := tencentKind(code); k != nil {
				return k
			}
		}
	default:
		if k, ok := cometChatCodes[e.Code]; ok {
			return k
		}
		if strings.HasPrefix(e.Code, "ERR_IMPORT_INVALID_") {
			return ErrInvalidRequest
		}
	}
	return statusKind(e.HTTPStatus)
}

// temporary reports whether sending the same request again may succeed.
func (e *APIError) temporary() bool {
	k := e.Kind()
	return k == ErrTemporary || k == ErrRateLimited
}

// cometChatCodes maps CometChat error codes to sentinels; codes it lacks fall
// back to the HTTP status.
var cometChatCodes = map[string]error{
	"ERR_TOO_MANY_REQUESTS":     ErrRateLimited,
	"AUTH_ERR_EMPTY_APIKEY":     ErrUnauthorized,
	"AUTH_ERR_APIKEY_NOT_FOUND": ErrUnauthorized,
	"ERR_APIKEY_NOT_FOUND":      ErrUnauthorized,
	"AUTH_ERR_INVALID_APPID":    ErrUnauthorized,
	"AUTH_ERR_EMPTY_APPID":      ErrUnauthorized,
	"AUTH_ERR_NO_ACCESS":        ErrPermission,
	"ERR_UID_NOT_FOUND":         ErrNotFound,
	"ERR_GUID_NOT_FOUND":        ErrNotFound,
	"ERR_BAD_REQUEST":           ErrInvalidRequest,
	"ERR_ALREADY_JOINED":        ErrAlreadyExists,
	"ERR_UID_ALREADY_EXISTS":    ErrAlreadyExists,
	"ERR_GUID_ALREADY_EXISTS":   ErrAlreadyExists,
	"ERR_MISSION_FAILED":        ErrTemporary,
	"ERR_EXCEPTION":             ErrTemporary,
}

// tencentKind maps a Tencent error code to a sentinel, or nil for codes the
// table does not know.
func tencentKind(code int) error {
	switch {
	case code >= 60004 && code <= 60006, code >= 70001 && code <= 70016, code == 70020:
		return ErrUnauthorized
	}
	switch code {
	case 10002, 70169, 70202, 70500:
		return ErrTemporary
	case 10006, 60007, 60011, 60018, 60019:
		return ErrRateLimited
	case 10003, 10004, 10011, 10015, 60002, 60003, 60008, 70402:
		return ErrInvalidRequest
	case 10005, 70206:
		return ErrBatchTooLarge
	case 10007, 60010, 70403:
		return ErrPermission
	case 10010, 10019, 70107:
		return ErrNotFound
	case 10013:
		return ErrAlreadyExists
	}
	return nil
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
	case status == http.StatusBadRequest, status == http.StatusRequestEntityTooLarge:
		return ErrInvalidRequest
	case status >= 500:
		return ErrTemporary
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
type ImportError struct {
	Failed  int // items with StatusFailed
	Skipped int // items with StatusSkipped
	causes  []error
}

// maxCauses bounds what an ImportError keeps: a million failed items must not
// mean a million retained errors.
const maxCauses = 16

// Error counts the items not imported and quotes the first cause.
func (e *ImportError) Error() string {
	msg := fmt.Sprintf("chatimport: %d items failed, %d skipped", e.Failed, e.Skipped)
	if len(e.causes) > 0 {
		msg += ": " + e.causes[0].Error()
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
