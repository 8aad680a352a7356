package tencent

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/chatimport/chatimport/internal/jsonref"
)

type result struct {
	account string
	result  int
}

var errRefused = errors.New("refused")

// refInt reads an integer as ReadImportAnswer documents it: a JSON number
// without fraction or exponent.
func refInt(v []byte) (int, error) {
	var n json.Number
	if v[0] == '"' || json.Unmarshal(v, &n) != nil {
		return 0, errRefused
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return int(i), err
}

func refString(v []byte) (string, error) {
	var s string
	if v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return "", errRefused
	}
	return s, nil
}

// refImportAnswer is what ReadImportAnswer documents, built on
// encoding/json: the differential fuzzer's reference.
func refImportAnswer(data []byte) (env Envelope, out []result, err error) {
	if !json.Valid(data) {
		return env, nil, errRefused
	}
	top, ok := jsonref.Members(data)
	if !ok {
		return env, nil, errRefused
	}
	for _, m := range top {
		if string(m.Value) == "null" {
			continue
		}
		switch m.Key {
		case "ActionStatus":
			env.ActionStatus, err = refString(m.Value)
		case "ErrorInfo":
			env.ErrorInfo, err = refString(m.Value)
		case "ErrorCode":
			env.ErrorCode, err = refInt(m.Value)
		case "MemberList":
			var list []json.RawMessage
			if m.Value[0] != '[' || json.Unmarshal(m.Value, &list) != nil {
				return env, nil, errRefused
			}
			for _, item := range list {
				if string(item) == "null" {
					continue
				}
				fields, ok := jsonref.Members(item)
				if !ok {
					return env, nil, errRefused
				}
				r := result{result: -1}
				hasAccount := false
				for _, f := range fields {
					switch {
					case string(f.Value) == "null":
					case f.Key == "Member_Account":
						r.account, err = refString(f.Value)
						hasAccount = true
					case f.Key == "Result":
						r.result, err = refInt(f.Value)
					}
					if err != nil {
						return env, nil, err
					}
				}
				if hasAccount && r.result >= 0 {
					out = append(out, r)
				}
			}
		}
		if err != nil {
			return env, nil, err
		}
	}
	return env, out, nil
}

// FuzzReadImportAnswer checks ReadImportAnswer against encoding/json: the
// same verdict on every document and, on one both read, the same envelope
// and the same results in the same order.
func FuzzReadImportAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MemberList":[{"Member_Account":"tommy","Result":1},{"Result":2,"Member_Account":"jared"}]}`,
		`{"ActionStatus":"FAIL","ErrorInfo":"too many","ErrorCode":10005}`, `{"ActionStatus":null,"ErrorInfo":null,"MemberList":[null,{"Member_Account":null,"Result":null}]}`,
		`{"MemberList":[{"Member_Account":"a\u00e9","Result":0,"Extra":{"x":[1,{"y":null}]}}],"MemberList":[]}`,
	} {
		f.Add([]byte(seed))
	}
	normal := func(b []byte) string { return string([]rune(string(b))) } // invalid UTF-8 as encoding/json decodes it
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []result
		env, err := ReadImportAnswer(data, func(account []byte, r int) { got = append(got, result{normal(account), r}) })
		env.ActionStatus, env.ErrorInfo = normal([]byte(env.ActionStatus)), normal([]byte(env.ErrorInfo))
		wantEnv, want, wantErr := refImportAnswer(data)
		if bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) >= 10000 {
			return // encoding/json refuses 10,000 levels
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: ReadImportAnswer: %v, encoding/json: %v", data, err, wantErr)
		}
		if err == nil && (env != wantEnv || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q:\n got %+v %+v\nwant %+v %+v", data, env, got, wantEnv, want)
		}
	})
}

// FuzzReadError checks ReadError against a generic encoding/json decode:
// it reads only JSON, and reports exactly the non-zero integer ErrorCode
// there.
func FuzzReadError(f *testing.F) {
	for _, seed := range []string{`{"ActionStatus":"FAIL","ErrorInfo":"sig expired","ErrorCode":70001}`, `{"ErrorCode":0}`, `<html>`,
		`{"ErrorInfo":5,"ErrorCode":10006}`, `{"ErrorCode":"70001"}`, `{"ErrorCode":1.5}`, `{"ErrorCode":null,"ActionStatus":null}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, ok := ReadError(data)
		if ok && !json.Valid(data) {
			t.Fatalf("read %q, which is not JSON", data)
		}
		top, isObject := jsonref.Members(data)
		if !json.Valid(data) || !isObject {
			if ok {
				t.Fatalf("read %q, which is not an object", data)
			}
			return
		}
		code, hasCode := 0, false
		for _, m := range top {
			if m.Key == "ErrorCode" {
				if n, err := refInt(m.Value); err == nil {
					code, hasCode = n, true
				}
			} else if strings.EqualFold(m.Key, "ErrorCode") {
				return // encoding/json reads it too; the reader is encoding/json here
			}
		}
		if ok != (hasCode && code != 0) || ok && env.ErrorCode != code {
			t.Fatalf("%q: read %+v, %v; want ErrorCode %d", data, env, ok, code)
		}
	})
}
