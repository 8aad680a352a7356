package chatimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/chatimport/chatimport/internal/retry"
)

// maxBody caps how much of an answer is read. The largest documented answer,
// a 1000-member list page, is well under it.
const maxBody = 16 << 20

// buffers recycles the buffers answers are read into.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse: one huge answer must not
// pin its memory for the life of the process.
const maxPooled = 1 << 20

// readAll reads r into a recycled buffer and hands its bytes to fn, which
// must not keep them.
func readAll(r io.Reader, fn func([]byte) error) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooled {
			buffers.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	return fn(buf.Bytes())
}

// excerptLen bounds how much of an unreadable body (an HTML 502 page) an
// error quotes.
const excerptLen = 200

// request is one API call, sent and retried by Client.do.
type request struct {
	method string
	path   string // appended to the base URL
	query  string // encoded, without credentials
	body   []byte
	budget *budget
	// decode reads a 2xx answer. It may return an *APIError for a failure
	// the provider reports inside a successful answer (Tencent's ErrorCode);
	// a temporary one is retried like a 503.
	decode func(io.Reader) error
}

// attempt is the state of one call across its retries. It travels in the
// request's context because retryablehttp's hooks see only the request.
type attempt struct {
	n          int // attempts made, counting the one under way
	retryAfter time.Duration
	budget     *budget
}

type attemptKey struct{}

func attemptOf(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	if a == nil {
		a = &attempt{}
	}
	return a
}

// do sends r, paced and retried, and decodes its answer. Every error it
// returns is an *APIError, a context error, or a transport error with the
// credentials redacted.
func (c *Client) do(ctx context.Context, r *request) error {
	a := &attempt{n: 1, budget: r.budget}
	ctx = context.WithValue(ctx, attemptKey{}, a)
	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		return c.redact.Error(fmt.Errorf("chatimport: %s %s: %w", r.method, r.path, err))
	}
	req.URL.RawQuery = r.query
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.provider.authorize(req.Request); err != nil {
		return err
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return c.failure(resp)
		}
		if err := r.decode(io.LimitReader(resp.Body, maxBody)); err != nil {
			return c.decodeError(resp.StatusCode, err)
		}
		return nil
	})
	if err := r.budget.wait(ctx, c.now, c.sleep); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.annotate(err, r.method+" "+req.URL.Path, a.n)
	}
	resp.Body.Close()
	return nil
}

// annotate names the request and its attempts in an error that does not
// already: an *APIError gets its Op and Attempts, an unreadable answer a
// prefix. Transport errors name their URL (redacted) themselves.
func (c *Client) annotate(err error, op string, attempts int) error {
	var apiErr *APIError
	var unreadable *unreadableError
	switch {
	case errors.As(err, &apiErr):
		apiErr.Op, apiErr.Attempts = op, attempts
	case errors.As(err, &unreadable):
		return fmt.Errorf("chatimport: %s: %w", op, err)
	}
	return err
}

// newTransport configures retryablehttp so that every retry decision is made
// by checkRetry, every wait by prepareRetry (with the injectable clock), and
// the last answer of a call that ran out of retries becomes a typed error.
func (c *Client) newTransport(hc *http.Client) *retryablehttp.Client {
	if hc == nil {
		hc = defaultHTTPClient()
	}
	if hc.CheckRedirect == nil {
		copied := *hc
		copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &copied
	}
	t := &retryablehttp.Client{
		HTTPClient:   hc,
		RetryMax:     c.retry.Max,
		CheckRetry:   c.checkRetry,
		Backoff:      func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 },
		PrepareRetry: c.prepareRetry,
		ErrorHandler: c.giveUp,
	}
	if c.logger != nil {
		t.RequestLogHook = func(_ retryablehttp.Logger, req *http.Request, n int) {
			c.logger.LogAttrs(req.Context(), slog.LevelDebug, "chatimport: request",
				slog.String("method", req.Method), slog.String("url", c.redact.URL(req.URL)), slog.Int("attempt", n+1))
		}
	}
	return t
}

// checkRetry is the one place that decides whether an attempt is tried
// again: on a network error other than TLS, scheme or redirect errors; on
// 429, 500, 502, 503, 504; and on an error the provider marks temporary
// (Tencent's 10002 and 10006 inside an HTTP 200). Never on other 4xx.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	a := attemptOf(ctx)
	a.retryAfter = 0
	if err == nil { // the first look at this attempt's outcome
		c.logOutcome(ctx, resp)
		if a.budget != nil {
			a.budget.observe(resp.Header, c.now())
		}
	} else if resp == nil {
		c.logOutcome(ctx, nil, slog.String("error", c.redact.Error(err).Error()))
	}
	var apiErr *APIError
	var unreadable *unreadableError
	switch {
	case errors.As(err, &apiErr):
		a.retryAfter = apiErr.RetryAfter
		return apiErr.temporary(), nil
	case errors.As(err, &unreadable):
		return unreadable.cut, nil
	case err != nil:
		return retry.NetError(err), nil
	case retry.Status(resp.StatusCode):
		a.retryAfter, _ = retry.RetryAfter(resp.Header, c.now())
		return true, nil
	}
	return false, nil
}

func (c *Client) logOutcome(ctx context.Context, resp *http.Response, attrs ...slog.Attr) {
	if c.logger == nil {
		return
	}
	if resp != nil {
		attrs = append(attrs, slog.String("method", resp.Request.Method),
			slog.String("path", resp.Request.URL.Path), slog.Int("status", resp.StatusCode))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "chatimport: response", attrs...)
}

// prepareRetry waits before a retry (backoff, the server's Retry-After, the
// pacing budget) and renews the attempt's credentials.
func (c *Client) prepareRetry(req *http.Request) error {
	ctx := req.Context()
	a := attemptOf(ctx)
	wait := c.retry.Wait(a.n-1, a.retryAfter)
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "chatimport: retrying",
			slog.String("method", req.Method), slog.String("path", req.URL.Path),
			slog.Int("attempt", a.n+1), slog.Duration("wait", wait))
	}
	if err := c.sleep(ctx, wait); err != nil {
		return err
	}
	a.n++
	if a.budget != nil {
		if err := a.budget.wait(ctx, c.now, c.sleep); err != nil {
			return err
		}
	}
	return c.provider.authorize(req)
}

// giveUp turns the end of a call that did not succeed into one error: the
// last answer as an *APIError, or the last transport error, redacted.
func (c *Client) giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err == nil && resp != nil {
		err = c.failure(resp) // retries ran out on a retryable status
	}
	if resp != nil {
		resp.Body.Close()
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return nil, apiErr
	}
	if err == nil {
		err = errors.New("chatimport: request failed")
	}
	return nil, c.redact.Error(err)
}

// failure reads a non-2xx answer into an *APIError. A body that is not the
// provider's error JSON (an HTML 502 page) still gives the status and a
// short excerpt, redacted like everything the server echoes.
func (c *Client) failure(resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	e := c.provider.parseError(resp.StatusCode, body)
	if e == nil {
		e = &APIError{Provider: c.provider.name(), HTTPStatus: resp.StatusCode, Message: excerpt(body)}
	}
	e.HTTPStatus = resp.StatusCode
	if d, ok := retry.RetryAfter(resp.Header, c.now()); ok {
		e.RetryAfter = d
	}
	return c.finish(e, "")
}

// finish fills an *APIError's request context and removes any credential
// the server echoed into it.
func (c *Client) finish(e *APIError, op string) *APIError {
	e.Provider = c.provider.name()
	e.Op = op
	e.Message = c.redact.String(e.Message)
	e.DevMessage = c.redact.String(e.DevMessage)
	for field, msgs := range e.Details {
		for i, m := range msgs {
			msgs[i] = c.redact.String(m)
		}
		e.Details[field] = msgs
	}
	return e
}

// decodeError classifies an error from decoding a 2xx answer.
func (c *Client) decodeError(status int, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.HTTPStatus = status
		return c.finish(apiErr, "")
	}
	return &unreadableError{
		err: c.redact.Error(err),
		cut: errors.Is(err, io.ErrUnexpectedEOF) || isNetError(err),
	}
}

func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// unreadableError is a 2xx answer that could not be decoded. One cut short
// by the connection is retried; malformed JSON would be malformed again.
type unreadableError struct {
	err error
	cut bool
}

// Error says the answer could not be read, and why.
func (e *unreadableError) Error() string {
	return fmt.Sprintf("unreadable answer: %v", e.err)
}

// Unwrap returns the decoding error.
func (e *unreadableError) Unwrap() error { return e.err }

// Is matches ErrTemporary for an answer cut short: a resend may succeed.
func (e *unreadableError) Is(target error) bool { return e.cut && target == ErrTemporary }

func excerpt(body []byte) string {
	s := []rune(string(body[:min(len(body), excerptLen*4)]))
	if len(s) > excerptLen {
		return string(s[:excerptLen]) + "…"
	}
	return string(s)
}
