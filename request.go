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

// maxBody caps how much of an answer is read when the request sets no
// bound of its own. The largest documented answer, a 1000-member list page,
// is well under it.
const maxBody = 16 << 20

// ErrAnswerTooLarge is an answer longer than the request can legitimately
// produce (its echoed entities, a full page): a server sending an endless
// body. The request fails with it rather than fill the heap.
var ErrAnswerTooLarge = errors.New("chatimport: the answer is larger than the request can produce")

// cappedReader reads at most n bytes, and fails with ErrAnswerTooLarge if
// there are more.
type cappedReader struct {
	r io.Reader
	n int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var probe [1]byte
		if k, _ := c.r.Read(probe[:]); k > 0 {
			return 0, ErrAnswerTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

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
	budget string // the pacing budget's name
	// limit bounds the answer: what the request can legitimately produce
	// (its echoed entities, a full page); 0 means maxBody.
	limit int64
	// decode reads a 2xx answer. It may return an *APIError for a failure
	// the provider reports inside a successful answer (Tencent's ErrorCode);
	// a temporary one is retried like a 503. It is called once per attempt
	// that is answered 2xx, so it must start afresh each time.
	decode func(io.Reader) error
}

// do sends r, paced and retried, and decodes its answer. This is the one
// retry loop: each attempt waits for the budget, is signed anew and sent
// once; shouldRetry decides whether another follows, and why. Every error
// it returns is an *APIError, a context error, or a transport error with
// the credentials redacted.
func (c *Client) do(ctx context.Context, r *request) error {
	op := r.method + " " + c.basePath + r.path
	b := c.budgets[r.budget]
	for n := 1; ; n++ {
		if err := b.wait(ctx, c.now, c.sleep); err != nil {
			return err
		}
		err := c.attempt(ctx, r, b)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		again, why := shouldRetry(err)
		if !again || n > c.retry.Max {
			return c.annotate(err, op, n)
		}
		wait := c.retry.Wait(n-1, retryAfterOf(err))
		if c.logger != nil {
			c.logger.LogAttrs(ctx, slog.LevelInfo, "chatimport: retrying",
				slog.String("op", op), slog.Int("attempt", n+1), slog.String("reason", why), slog.Duration("wait", wait))
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// shouldRetry reports whether a request that failed with err may succeed
// if sent again, and why: on a network error other than TLS, scheme or
// redirect errors; on 429, 500, 502, 503 and 504; on an error the provider
// marks temporary inside a 2xx (Tencent's 10002 and its frequency codes);
// and on an answer cut short. Never on other 4xx, nor on malformed JSON,
// which would be malformed again.
func shouldRetry(err error) (bool, string) {
	var apiErr *APIError
	var unreadable *unreadableError
	switch {
	case errors.As(err, &apiErr):
		if apiErr.temporary() {
			return true, "temporary answer: " + apiErr.Error()
		}
		return false, "final answer: " + apiErr.Error()
	case errors.As(err, &unreadable):
		if unreadable.cut {
			return true, "answer cut short"
		}
		return false, "answer unreadable"
	case retry.NetError(err):
		return true, "network error: " + err.Error()
	}
	return false, "not retryable: " + err.Error()
}

// retryAfterOf is how long the server asked to wait, if it did.
func retryAfterOf(err error) time.Duration {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// attempt sends r once and reads its answer.
func (c *Client) attempt(ctx context.Context, r *request, b *budget) error {
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
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "chatimport: request",
			slog.String("method", req.Method), slog.String("url", c.redact.URL(req.URL)))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		err = c.redact.Error(err)
		c.logOutcome(ctx, nil, slog.String("error", err.Error()))
		return err
	}
	defer resp.Body.Close()
	c.logOutcome(ctx, resp)
	b.observe(resp.Header, c.now())
	if resp.StatusCode/100 != 2 {
		return c.failure(resp)
	}
	limit := r.limit
	if limit <= 0 {
		limit = maxBody
	}
	if err := r.decode(&cappedReader{r: resp.Body, n: limit}); err != nil {
		return c.decodeError(resp.StatusCode, err)
	}
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

// newTransport sends each attempt once: retryablehttp is the transport,
// but every retry decision and wait is Client.do's, so nothing depends on
// the order or number of its hook calls.
func newTransport(hc *http.Client) *retryablehttp.Client {
	if hc == nil {
		hc = defaultHTTPClient()
	}
	if hc.CheckRedirect == nil {
		copied := *hc
		copied.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &copied
	}
	return &retryablehttp.Client{
		HTTPClient:   hc,
		RetryMax:     0,
		CheckRetry:   func(context.Context, *http.Response, error) (bool, error) { return false, nil },
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
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

// failure reads a non-2xx answer into an *APIError. A body that is not the
// provider's error JSON (an HTML 502 page) still gives the status and a
// short excerpt, redacted like everything the server echoes.
func (c *Client) failure(resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	e := c.provider.parseError(resp.StatusCode, body)
	if e == nil {
		e = &APIError{HTTPStatus: resp.StatusCode, Message: c.redact.Excerpt(body, excerptLen)}
	}
	e.HTTPStatus = resp.StatusCode
	if d, ok := c.retry.RetryAfter(resp.Header, c.now()); ok {
		e.RetryAfter = d
	}
	return c.finish(e, "")
}

// finish fills an *APIError's request context and removes any credential
// the server echoed into it.
func (c *Client) finish(e *APIError, op string) *APIError {
	e.Provider = c.provider.name()
	e.Op = op
	e.Code = c.redact.String(e.Code)
	e.Message = c.redact.String(e.Message)
	e.DevMessage = c.redact.String(e.DevMessage)
	e.Details = c.redact.Details(e.Details)
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
