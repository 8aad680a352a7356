package chatimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
)

// sendBatch sends one batch, sends again the items the server failed for a
// temporary reason (at most c.retry.Max times), and returns the result of
// every item. An error fatal to the whole import (bad credentials, no
// permission) stops it.
func sendBatch[T any](ctx context.Context, c *Client, stop context.CancelCauseFunc, ep *importEndpoint[T], jobs []job) []ItemResult {
	out := make([]ItemResult, 0, len(jobs))
	report := func(jobs []job, status Status, err error) {
		for _, j := range jobs {
			out = append(out, ItemResult{Index: j.index, ID: j.id, Status: status, Err: err})
		}
	}
	for n := 0; ; n++ {
		if ctx.Err() != nil {
			report(jobs, StatusSkipped, context.Cause(ctx))
			return out
		}
		outcomes, err := ep.send(ctx, c, jobs)
		if err != nil && len(jobs) > 1 && refusedWhole(c, err) {
			// One bad item can make the server refuse its whole request:
			// halve the batch until the bad items stand alone, rather than
			// fail their good neighbours with them.
			half := len(jobs) / 2
			out = append(out, sendBatch(ctx, c, stop, ep, jobs[:half])...)
			return append(out, sendBatch(ctx, c, stop, ep, jobs[half:])...)
		}
		if err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			} else if fatal(err) {
				stop(err)
			}
			report(jobs, StatusFailed, err)
			return out
		}
		var again []job
		for i, o := range outcomes {
			if o.err != nil && fatal(o.err) {
				stop(o.err)
			}
			if o.again && n < c.retry.Max {
				again = append(again, jobs[i])
				continue
			}
			out = append(out, ItemResult{Index: jobs[i].index, ID: jobs[i].id, Status: o.status, Err: o.err})
		}
		if len(again) == 0 {
			return out
		}
		if err := c.sleep(ctx, c.retry.Wait(n, 0)); err != nil {
			report(again, StatusSkipped, context.Cause(ctx))
			return out
		}
		jobs = again
	}
}

// refusedWhole reports whether the server refused a whole request in a way
// one bad item in it can cause, by its provider's reading of the answer.
func refusedWhole(c *Client, err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && c.provider.blamesItem(apiErr)
}

// fatal reports whether err will befall every other request of the import
// too, so that sending them is pointless.
func fatal(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrPermission) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// errNoAnswer is an item the answer says nothing about: it may or may not
// have arrived, so it is sent again (an already-exists answer then settles it).
var errNoAnswer = fmt.Errorf("%w: the answer has no result for this item", ErrTemporary)

// unanswered marks every item an answer left out as errNoAnswer.
func unanswered(outcomes []outcome) {
	for i := range outcomes {
		if outcomes[i].status == 0 {
			outcomes[i] = outcome{status: StatusFailed, err: errNoAnswer, again: true}
		}
	}
}

// matcher finds the job an answer entry is for. Answers come in request
// order, so the next job is tried first; one out of order falls back to an
// index built once.
type matcher struct {
	jobs  []job
	name  func(job) string // what the answer names a job by
	fold  bool             // whether the answer may change the name's case
	next  int
	index map[string]int
}

func (m *matcher) find(key []byte) int {
	if m.next < len(m.jobs) {
		name := m.name(m.jobs[m.next])
		if string(key) == name || m.fold && bytes.EqualFold(key, []byte(name)) {
			m.next++
			return m.next - 1
		}
	}
	if m.index == nil {
		m.index = make(map[string]int, len(m.jobs))
		for i, j := range m.jobs {
			m.index[m.normal(m.name(j))] = i
		}
	}
	if i, ok := m.index[m.normal(string(key))]; ok {
		return i
	}
	return -1
}

func (m *matcher) normal(name string) string {
	if m.fold {
		return strings.ToLower(name)
	}
	return name
}
