package chatimport

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var sentinels = []error{ErrRateLimited, ErrUnauthorized, ErrPermission, ErrNotFound, ErrInvalidRequest,
	ErrBatchTooLarge, ErrAlreadyExists, ErrTemporary, ErrDuplicate}

// assertOnlyKind checks err matches want and no other sentinel.
func assertOnlyKind(t *testing.T, err error, want error, msg string) {
	t.Helper()
	for _, s := range sentinels {
		assert.Equal(t, s == want, errors.Is(err, s), "%s: errors.Is(%v)", msg, s)
	}
}

func TestCometChatCodeTable(t *testing.T) {
	for code, want := range map[string]error{
		"ERR_TOO_MANY_REQUESTS":            ErrRateLimited,
		"AUTH_ERR_EMPTY_APIKEY":            ErrUnauthorized,
		"AUTH_ERR_APIKEY_NOT_FOUND":        ErrUnauthorized,
		"ERR_APIKEY_NOT_FOUND":             ErrUnauthorized,
		"AUTH_ERR_INVALID_APPID":           ErrUnauthorized,
		"AUTH_ERR_EMPTY_APPID":             ErrUnauthorized,
		"AUTH_ERR_NO_ACCESS":               ErrPermission,
		"ERR_UID_NOT_FOUND":                ErrNotFound,
		"ERR_GUID_NOT_FOUND":               ErrNotFound,
		"ERR_BAD_REQUEST":                  ErrInvalidRequest,
		"ERR_IMPORT_INVALID_USER_FORMAT":   ErrInvalidRequest,
		"ERR_IMPORT_INVALID_MEMBER_FORMAT": ErrInvalidRequest,
		"ERR_IMPORT_INVALID_GROUP_FORMAT":  ErrInvalidRequest,
		"ERR_IMPORT_INVALID_JOINEDAT":      ErrInvalidRequest,
		"ERR_ALREADY_JOINED":               ErrAlreadyExists,
		"ERR_UID_ALREADY_EXISTS":           ErrAlreadyExists,
		"ERR_GUID_ALREADY_EXISTS":          ErrAlreadyExists,
		"ERR_MISSION_FAILED":               ErrTemporary,
		"ERR_EXCEPTION":                    ErrTemporary,
	} {
		// The code decides even when the status would say otherwise.
		err := &APIError{Provider: ProviderCometChat, HTTPStatus: http.StatusTeapot, Code: code}
		assertOnlyKind(t, err, want, code)
		assertOnlyKind(t, fmt.Errorf("wrapped: %w", err), want, code+" wrapped")
	}
}

func TestStatusFallback(t *testing.T) {
	for status, want := range map[int]error{
		429: ErrRateLimited, 401: ErrUnauthorized, 403: ErrPermission, 404: ErrNotFound,
		400: ErrInvalidRequest, 500: ErrTemporary, 502: ErrTemporary, 503: ErrTemporary, 504: ErrTemporary,
		418: ErrInvalidRequest, 422: ErrInvalidRequest, 413: ErrInvalidRequest, 408: ErrTemporary, 307: nil, 200: nil,
	} {
		err := &APIError{Provider: ProviderCometChat, HTTPStatus: status, Code: "ERR_SOMETHING_NEW"}
		assertOnlyKind(t, err, want, fmt.Sprint(status))
	}
}

func TestAPIErrorText(t *testing.T) {
	err := &APIError{Provider: ProviderCometChat, HTTPStatus: 429, Code: "ERR_TOO_MANY_REQUESTS",
		Message: "slow down", DevMessage: "rate", Op: "POST /v3/data_import/users", Attempts: 3}
	assert.Equal(t, "cometchat: POST /v3/data_import/users: 429 ERR_TOO_MANY_REQUESTS: slow down (rate) after 3 attempts", err.Error())
}

func TestValidationAndDuplicateErrors(t *testing.T) {
	v := &ValidationError{Index: 3, ID: "bob", Field: "name", Reason: "is empty"}
	assert.Equal(t, `chatimport: item 3 ("bob"): invalid name: is empty`, v.Error())
	assertOnlyKind(t, v, ErrInvalidRequest, "validation")

	d := &DuplicateError{Index: 5, ID: "bob", First: 3, Differs: true}
	assert.Equal(t, `chatimport: item 5 ("bob"): duplicate of item 3, with different fields; not sent`, d.Error())
	assertOnlyKind(t, d, ErrDuplicate, "duplicate")
}

func TestImportErrorKeepsDistinctCauses(t *testing.T) {
	e := &ImportError{}
	for i := range 100 {
		e.add(ItemResult{Status: StatusFailed, Err: &APIError{Provider: ProviderCometChat, Code: "ERR_UID_NOT_FOUND", Message: fmt.Sprint(i)}})
	}
	e.add(ItemResult{Status: StatusSkipped, Err: &DuplicateError{Index: 1}})
	e.add(ItemResult{Status: StatusImported})
	assert.Equal(t, 100, e.Failed)
	assert.Equal(t, 1, e.Skipped)
	assert.Len(t, e.Unwrap(), 2)
	assert.ErrorIs(t, e, ErrNotFound)
	assert.ErrorIs(t, e, ErrDuplicate)
	assert.NotErrorIs(t, e, ErrRateLimited)
	assert.Contains(t, e.Error(), "chatimport: import: 100 failed, 1 skipped; ")
	assert.Equal(t, 1, strings.Count(e.Error(), "chatimport:"), "the text names the package once")
}
