package chatimport

import "net/http"

// provider is what differs between CometChat and Tencent behind one Client:
// credentials, error bodies, pacing budgets and endpoints. Each lives in
// its provider's file; the engine calls nothing else of a provider.
type provider interface {
	name() string
	// app names the app for Budget.App.
	app() string
	// authorize puts credentials on one attempt of a request; it is called
	// before every attempt, so per-attempt values (Tencent's random) are
	// fresh each time.
	authorize(req *http.Request) error
	// parseError reads the body of a non-2xx answer, or returns nil when it
	// is not the provider's error format.
	parseError(status int, body []byte) *APIError
	// blamesItem reports whether a request refused whole with e may have
	// been refused for one bad item in it, so that halving the request
	// finds the item and lets the others through.
	blamesItem(e *APIError) bool
	// budgets declares the pacing budgets the endpoints draw on.
	budgets() []budgetSpec
	endpoints() endpoints
}

// maxBatch is the most items any import endpoint takes in one request.
func (e endpoints) maxBatch() int {
	n := 0
	if e.users != nil {
		n = max(n, e.users.maxBatch)
	}
	if e.groups != nil {
		n = max(n, e.groups.maxBatch)
	}
	if e.members != nil {
		n = max(n, e.members.maxBatch)
	}
	return n
}
