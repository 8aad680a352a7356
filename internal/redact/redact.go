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
// message a server built from the request URL.
var sigInText = regexp.MustCompile(`(?i)(usersig|apikey)=[^&\s"']*`)

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

// String returns s with every secret and every usersig/apikey value masked.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, Mask)
	}
	r.mu.RUnlock()
	if strings.ContainsRune(s, '=') {
		s = sigInText.ReplaceAllString(s, "${1}="+Mask)
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
