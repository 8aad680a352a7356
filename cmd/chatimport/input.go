package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLine bounds one input line. The documents' largest record, a member
// with groupDetails and userDetails each carrying 1.6 KB of metadata, is far
// below it; the bound only keeps a file without newlines from filling memory.
const maxLine = 1 << 20

// input is one JSON Lines source, a file or an embedded sample.
type input struct {
	kind        string // "users", "groups" or "members"
	name        string // shown in messages: the path, or the embedded sample's name
	open        func() (io.ReadCloser, error)
	records     int    // non-blank lines: the progress total
	fingerprint string // the checkpoint refuses other content under the same name
	spool       string // the copy of an input that can be read only once; removed by close
}

// fileInput opens path and reads it once, to count and fingerprint it, so
// that a missing or unreadable file is an input error before anything is
// sent. A regular file is read again for the import. A pipe, a FIFO,
// /dev/stdin or a device can be read only once: it is copied to a spool
// file as it is read, and the import reads the copy.
func fileInput(ctx context.Context, kind, path string) (*input, error) {
	f, err := openFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Closing the file ends a read that waits for a pipe's writer.
	defer context.AfterFunc(ctx, func() { f.Close() })()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	in := &input{kind: kind, name: path}
	if fi.Mode().IsRegular() {
		in.open = func() (io.ReadCloser, error) { return os.Open(path) }
		return in, in.scan(ctx, f, nil)
	}
	spool, err := os.CreateTemp("", "chatimport-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("copying %s: %w", path, err)
	}
	in.spool = spool.Name()
	in.open = func() (io.ReadCloser, error) { return os.Open(in.spool) }
	w := bufio.NewWriterSize(spool, 64<<10)
	err = in.scan(ctx, f, w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := spool.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("copying %s: %w", path, cerr)
	}
	if err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// openFile opens path. Opening a FIFO waits for its writer, in a system
// call that nothing interrupts, so the wait is left behind when ctx ends.
func openFile(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, context.Cause(ctx)
	}
}

func embeddedInput(ctx context.Context, kind, name string, data []byte) (*input, error) {
	in := &input{kind: kind, name: name, open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
	return in, in.scan(ctx, bytes.NewReader(data), nil)
}

// scan reads r to its end to count its records and fingerprint it, copying
// it to spool when that is set.
func (in *input) scan(ctx context.Context, r io.Reader, spool io.Writer) error {
	h := sha256.New()
	size := &countingWriter{}
	err := scanLines(ctx, io.TeeReader(r, io.MultiWriter(h, size)), spool, func(inputLine) bool {
		in.records++
		return true
	})
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("reading %s: %w", in.name, err)
	}
	in.fingerprint = fmt.Sprintf("sha256:%s size:%d", hex.EncodeToString(h.Sum(nil)), size.n)
	return nil
}

// each reads the input from its start, handing fn each line as scanLines
// does.
func (in *input) each(ctx context.Context, fn func(inputLine) bool) error {
	r, err := in.open()
	if err != nil {
		return err
	}
	defer r.Close()
	return scanLines(ctx, r, nil, fn)
}

// close removes the spool file, if there is one.
func (in *input) close() {
	if in != nil && in.spool != "" {
		os.Remove(in.spool)
	}
}

type countingWriter struct{ n int64 }

// Write counts p and discards it.
func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// inputLine is one non-blank line: index counts records from 0, num counts
// lines from 1 (blank ones included), as an editor shows them.
type inputLine struct {
	index, num int
	text       []byte // valid until the next line is read
	tooLong    bool
}

// scanLines calls fn for each non-blank line until fn returns false or ctx
// ends. Only a read error or the end of ctx is returned: a line too long is
// handed over, marked, so that it is reported with its number like any other
// bad line.
//
// When copyTo is set, the input is written to it with each line cut a byte
// past maxLine: the copy reads back as the same lines, marked the same way,
// and an endless line (-users /dev/zero) does not fill the disk.
func scanLines(ctx context.Context, r io.Reader, copyTo io.Writer, fn func(inputLine) bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	cp := lineCopier{w: copyTo}
	var buf []byte
	index, num := 0, 0
	tooLong := false
	for {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		chunk, err := br.ReadSlice('\n')
		if cerr := cp.write(chunk); cerr != nil {
			return cerr
		}
		if len(buf)+len(chunk) > maxLine {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(buf) > 0 || tooLong {
			num++
			if tooLong || len(bytes.TrimSpace(buf)) > 0 {
				if !fn(inputLine{index: index, num: num, text: buf, tooLong: tooLong}) {
					return nil
				}
				index++
			}
		}
		if err != nil { // io.EOF
			return nil
		}
		buf, tooLong = buf[:0], false
	}
}

// lineCopier writes lines to w, each cut maxLine+1 bytes into its text.
type lineCopier struct {
	w    io.Writer
	line int // bytes of the current line written
}

func (c *lineCopier) write(chunk []byte) error {
	if c.w == nil {
		return nil
	}
	text, newline := bytes.CutSuffix(chunk, []byte("\n"))
	text = text[:min(len(text), max(0, maxLine+1-c.line))]
	c.line += len(text)
	_, err := c.w.Write(text)
	if newline && err == nil {
		_, err = c.w.Write([]byte("\n"))
		c.line = 0
	}
	if err != nil {
		return fmt.Errorf("copying the input: %w", err)
	}
	return nil
}
