package chatimport

import "net/http"

// provider is what differs between CometChat and Tencent behind one Client:
// credentials, error bodies and the wire format of each import.
type provider interface {
	name() string
	// authorize puts credentials on one attempt of a request; it is called
	// again before every retry, so per-attempt values (Tencent's random) are
	// fresh each time.
	authorize(req *http.Request) error
	// parseError reads the body of a non-2xx answer, or returns nil when it
	// is not the provider's error format.
	parseError(status int, body []byte) *APIError
	users(c *Client) (*importSpec[User], error)
	members(c *Client) (*importSpec[Member], error)
}
