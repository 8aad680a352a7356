package cometchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/chatimport/chatimport/internal/jsonref"
)

// tooDeep reports a document encoding/json refuses for its nesting alone.
func tooDeep(data []byte) bool {
	return bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) >= 10000
}

type keyed struct {
	key string
	a   Answer
}

var errRefused = errors.New("refused")

// refImportAnswer is what ReadImportAnswer documents, built on
// encoding/json: the differential fuzzer's reference.
func refImportAnswer(data []byte) ([]keyed, error) {
	if !json.Valid(data) {
		return nil, errRefused
	}
	top, ok := jsonref.Members(data)
	if !ok {
		return nil, errRefused
	}
	var out []keyed
	for _, m := range top {
		if m.Key != "data" || string(m.Value) == "null" {
			continue
		}
		entities, ok := jsonref.Members(m.Value)
		if !ok {
			return nil, errRefused
		}
		for _, e := range entities {
			out = append(out, keyed{e.Key, refAnswer(e.Value, true)})
		}
	}
	return out, nil
}

func refAnswer(raw json.RawMessage, nested bool) Answer {
	failed := func(raw []byte) Answer {
		return Answer{Known: true, Error: &Error{Message: Unreadable, DevMessage: string(raw)}}
	}
	if string(raw) == "null" {
		return Answer{}
	}
	fields, ok := jsonref.Members(raw)
	if !ok {
		return failed(raw)
	}
	var a, inner Answer
	broken := false
	for _, f := range fields {
		v := f.Value
		switch {
		case f.Key == "data":
			if nested && v[0] == '{' {
				inner = refAnswer(v, false)
			}
		case f.Key != "success" && f.Key != "error", broken, string(v) == "null":
		case f.Key == "success":
			var b bool
			if json.Unmarshal(v, &b) != nil {
				a, broken = failed(v), true
				break
			}
			a.Known, a.Success = true, b
		default:
			var e Error
			if v[0] != '{' || json.Unmarshal(v, &e) != nil {
				a, broken = failed(v), true
				break
			}
			a.Known, a.Error = true, &e
		}
	}
	if !a.Known {
		return inner
	}
	return a
}

// FuzzReadImportAnswer checks ReadImportAnswer against encoding/json: the
// same verdict on every document, and on one both read, the same outcome
// for every key in the same order.
func FuzzReadImportAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"u1":{"success":true,"data":{"uid":"u1","metadata":{"a":[1,{"b":"c"}]}}},"u2":{"success":false,"error":{"code":"ERR_UID_ALREADY_EXISTS","message":"m","details":{"uid":["x"]}}}}}`,
		`{"data":{"u":{"data":{"success":true,"data":{"uid":"u"}}}}}`, `{"data":null}`, `{"data":{"x":null,"y":"s","z":{"error":"boom"}}}`,
		`{"data":{"a\u00e9":{"success":"yes","error":{"code":1}}},"data":{"b":{}}}`, `{"meta":{},"data":{}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []keyed
		err := ReadImportAnswer(data, func(key []byte, a Answer) {
			got = append(got, keyed{string([]rune(string(key))), a}) // invalid UTF-8 as encoding/json decodes it
		})
		want, wantErr := refImportAnswer(data)
		if tooDeep(data) {
			return
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: ReadImportAnswer: %v, encoding/json: %v", data, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", data, got, want)
		}
	})
}

// pageFields are the keys ReadMembersPage reads, at any level.
var pageFields = []string{"data", "meta", "pagination", "cursor", "uid", "name", "avatar", "link", "role", "status", "scope",
	"metadata", "tags", "joinedAt", "createdAt", "lastActiveAt", "deactivatedAt", "total", "count", "per_page",
	"current_page", "total_pages", "updatedAt", "affix"}

// oddKeys reports valid JSON on which ReadMembersPage differs from
// encoding/json by design: an object repeats a key (encoding/json merges a
// repeated metadata), or spells a field in another letter case.
func oddKeys(data []byte) bool { return oddKeysOf(data, pageFields) }

// oddKeysOf reports valid JSON in which an object repeats a key or spells
// one of fields in another letter case.
func oddKeysOf(data []byte, fields []string) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var seen []map[string]bool
	expectKey := func() bool { return len(seen) > 0 && seen[len(seen)-1] != nil }
	var stack []bool // whether each open value is an object
	afterKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok := tok.(type) {
		case json.Delim:
			switch tok {
			case '{':
				stack, seen = append(stack, true), append(seen, map[string]bool{})
			case '[':
				stack, seen = append(stack, false), append(seen, nil)
			default:
				stack, seen = stack[:len(stack)-1], seen[:len(seen)-1]
			}
			afterKey = false
			continue
		case string:
			if expectKey() && !afterKey {
				if seen[len(seen)-1][tok] {
					return true
				}
				seen[len(seen)-1][tok] = true
				for _, f := range fields {
					if tok != f && strings.EqualFold(tok, f) {
						return true
					}
				}
				afterKey = true
				continue
			}
		}
		afterKey = false
	}
}

// FuzzReadMembersPage checks ReadMembersPage against encoding/json, its
// reference: the same verdict on every document and, on one both read, the
// same page; and that an answer cut short anywhere is refused.
func FuzzReadMembersPage(f *testing.F) {
	for _, seed := range []string{docPage, string(bigPage(2)), `{"data":[{"uid":"a\u00e9","tags":[null],"joinedAt":"1"}]}`, `null`, `{"data":[null]}`,
		`{"data":[{"uid":"a","metadata":{"k":[{"x":null}]},"extra":{"deep":[[[]]]}}],"cursor":{"affix":"append","updatedAt":"5"}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadMembersPage(data)
		var want MembersPage
		wantErr := json.Unmarshal(data, &want)
		if !tooDeep(data) && !oddKeys(data) {
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%q: ReadMembersPage: %v, encoding/json: %v", data, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%q:\n got %+v\nwant %+v", data, got, want)
			}
		}
		if err != nil || len(data) == 0 || data[0] != '{' {
			return
		}
		for n := range len(data) {
			if cut := data[:n]; !json.Valid(cut) {
				if _, err := ReadMembersPage(cut); err == nil {
					t.Fatalf("accepted %q, cut from %q", cut, data)
				}
			}
		}
	})
}

// errorFields are the keys ReadError reads.
var errorFields = []string{"error", "code", "message", "devMessage", "source", "details"}

// FuzzReadError checks ReadError against a generic encoding/json decode:
// it reads only JSON, and the code and message it reads are the ones
// there.
func FuzzReadError(f *testing.F) {
	for _, seed := range []string{`{"error":{"code":"ERR_TOO_MANY_REQUESTS","message":"slow down","details":{"uid":["x"]}}}`,
		`{"error":{"code":"ERR_X","details":{"uid":"not a list"}}}`, `{"error":"boom"}`, `<html>502</html>`, `{"error":null}`,
		`{"error":{"message":5,"code":"C"}}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := ReadError(data)
		if e == nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("read %q, which is not JSON", data)
		}
		if oddKeysOf(data, errorFields) {
			return
		}
		var doc struct {
			Error map[string]any `json:"error"`
		}
		_ = json.Unmarshal(data, &doc)
		str := func(k string) string { s, _ := doc.Error[k].(string); return s }
		if e.Code != str("code") || e.Message != str("message") || e.Code == "" && e.Message == "" {
			t.Fatalf("%q: read %+v", data, e)
		}
	})
}
