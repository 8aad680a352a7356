// Package jsonref is the reference the wire readers' differential fuzz
// tests hold them to: encoding/json's reading of a document, in the few
// shapes those tests compare.
package jsonref

import (
	"bytes"
	"encoding/json"
)

// Member is one member of an object, in document order.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Members splits valid JSON that is an object into its members with
// encoding/json, or reports false for any other value.
func Members(raw []byte) ([]Member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var out []Member
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, Member{k.(string), v})
	}
	return out, true
}
