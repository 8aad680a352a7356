package main

import (
	"bufio"
	"encoding/json"
	"os"
)

// report writes one JSON line per input item, in the order items end, so
// that a migration can be audited or its failures fed back in.
type report struct {
	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
}

// reportLine is one item: kind, index (its record in the input, from 0),
// line (1-based, as an editor counts), id, status, error and note. Status is the
// library's (imported, existed, skipped, failed), or "valid" in a dry run,
// or "done" for an item a checkpoint says an earlier run finished.
type reportLine struct {
	Kind   string `json:"kind"`
	Index  int    `json:"index"`
	Line   int    `json:"line"`
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
	// Note says what the mapping to the target changed or left behind.
	Note string `json:"note,omitempty"`
}

func createReport(path string) (*report, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // ids and messages stay readable
	return &report{f: f, w: w, enc: enc}, nil
}

func (r *report) write(o *outcome) error {
	return r.enc.Encode(reportLine{Kind: o.kind, Index: o.index, Line: o.line, ID: o.id, Status: o.status, Error: o.msg, Note: o.changes.String()})
}

func (r *report) close() error {
	err := r.w.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}
