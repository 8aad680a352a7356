// Package redact removes credentials from text, URLs and errors before they
// reach a log line or an error message.
package redact

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every secret.
const Mask = "REDACTED"

// queryParams are the query parameters whose values are always secret.
var queryParams = []string{"usersig", "apikey"}

// sigInText finds usersig=… or apikey=… inside free text, such as an error
// message a server built from the request URL, with the = itself raw,
// URL-escaped or JSON-escaped.
var sigInText = regexp.MustCompile(`(?i)(usersig|apikey)(=|%3d|\\u003d)[^&\s"']*`)

// Redactor knows the literal secrets of one client. It is safe for
// concurrent use.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string
}

// New returns a Redactor for the given secrets; empty ones are ignored.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// Add makes r mask one more secret, such as a newly signed UserSig.
func (r *Redactor) Add(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	r.secrets = append(r.secrets, secret)
}

// String returns s with every secret masked in every form a server may
// echo it: raw, URL-escaped (%2A or %2a for *, + for a space), JSON-escaped
// (\u002a, \/), or any mix of these, character by character. Every
// usersig/apikey value is masked too, known or not.
func (r *Redactor) String(s string) string {
	masked, _ := mask(s, r.list(), -1, false)
	return maskParams(masked)
}

// Excerpt returns at most n runes of body for an error message, such as
// the start of an HTML error page, with "…" when it is cut. Secrets are
// masked before the cut, so no cut can leave part of one; invalid UTF-8
// becomes U+FFFD.
func (r *Redactor) Excerpt(body []byte, n int) string {
	n = max(n, 0)
	secrets := r.list()
	// Only a prefix can reach the excerpt: n runes of at most 4 bytes, or
	// masks of secrets in their longest form, and one more secret's length
	// to see whether a secret straddles the cut.
	longest := 4
	for _, s := range secrets {
		longest = max(longest, longestForm*len(s))
	}
	prefix := body[:min(len(body), (n+2)*longest)]
	s, cut := mask(string(prefix), secrets, n, true)
	cut = cut || len(prefix) < len(body)
	s = maskParams(s)
	if runes := []rune(s); len(runes) > n { // masking an unknown usersig can lengthen it
		s, cut = string(runes[:n]), true
	}
	if cut {
		s += "…"
	}
	return s
}

// Details returns a copy of d with its keys and messages masked as String
// masks them; keys that mask alike share one entry.
func (r *Redactor) Details(d map[string][]string) map[string][]string {
	if d == nil {
		return nil
	}
	out := make(map[string][]string, len(d))
	for k, msgs := range d {
		k = r.String(k)
		for _, m := range msgs {
			out[k] = append(out[k], r.String(m))
		}
		if msgs != nil && out[k] == nil {
			out[k] = []string{}
		}
	}
	return out
}

func (r *Redactor) list() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.secrets // Add only appends: the elements seen here never change
}

func maskParams(s string) string {
	if strings.ContainsAny(s, "=%\\") {
		s = sigInText.ReplaceAllString(s, "${1}${2}"+Mask)
	}
	return s
}

// URL returns u as text with secret query values masked.
func (r *Redactor) URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		q := c.Query()
		for _, p := range queryParams {
			if q.Has(p) {
				q.Set(p, Mask)
			}
		}
		c.RawQuery = q.Encode()
	}
	return r.String(c.String())
}

// Error returns err with secrets masked from its text. A *url.Error is
// rebuilt with a masked URL so that errors.As still finds one; any other error
// whose text held a secret is wrapped so that its text is masked while
// errors.Is still reaches the original.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		masked := &url.Error{Op: ue.Op, URL: r.rawURL(ue.URL), Err: r.Error(ue.Err)}
		if ue == err {
			return masked
		}
		return &maskedError{msg: r.String(err.Error()), err: masked}
	}
	if msg := err.Error(); r.String(msg) != msg {
		return &maskedError{msg: r.String(msg), err: err}
	}
	return err
}

func (r *Redactor) rawURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.String(raw)
	}
	return r.URL(u)
}

type maskedError struct {
	msg string
	err error
}

// Error is the original text with secrets masked.
func (e *maskedError) Error() string { return e.msg }

// Unwrap returns the original error, for errors.Is and errors.As.
func (e *maskedError) Unwrap() error { return e.err }
