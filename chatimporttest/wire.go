package chatimporttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// maxBody bounds what the fake reads from one request; far above any valid
// batch, it only stops a runaway client from exhausting the test's memory.
const maxBody = 16 << 20

// cometError is CometChat's error object.
type cometError struct {
	Message    string      `json:"message"`
	DevMessage string      `json:"devMessage"`
	Source     string      `json:"source"`
	Code       string      `json:"code"`
	Details    fieldErrors `json:"details,omitempty"`
}

func newCometError(code, msg string, details fieldErrors) *cometError {
	if len(details) == 0 {
		details = nil
	}
	return &cometError{Message: msg, DevMessage: msg, Source: "chat-api", Code: code, Details: details}
}

func writeCometError(w http.ResponseWriter, status int, e *cometError) {
	writeJSON(w, status, map[string]any{"error": e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fieldErrors are validation messages by field, CometChat's "details".
type fieldErrors map[string][]string

func (fe *fieldErrors) add(field, format string, args ...any) {
	if *fe == nil {
		*fe = fieldErrors{}
	}
	(*fe)[field] = append((*fe)[field], fmt.Sprintf(format, args...))
}

const msgNotJSON = "The request body is not a valid JSON object."

// entry is one entity of a CometChat import body, keyed as the client sent it.
type entry struct {
	key string
	raw json.RawMessage
}

// decodeBatch reads {"<field>":{"<id>":{…},…}}, keeping the order of ids so
// that members are stored in the order the client sent them and duplicates
// (which a Go map would silently merge) are caught. A body it refuses
// yields CometChat's message for it, which is prose for a person rather
// than a Go error string; an accepted one yields "".
func decodeBatch(body []byte, field string) ([]entry, string) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, msgNotJSON
	}
	raw, ok := top[field]
	if !ok || isNull(raw) {
		return nil, fmt.Sprintf("The %s field is required.", field)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return nil, fmt.Sprintf("The %s field must be an object keyed by id.", field)
	}
	var out []entry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, msgNotJSON
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, fmt.Sprintf("The key %q appears twice in %s.", key, field)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, msgNotJSON
		}
		out = append(out, entry{key: key, raw: v})
	}
	if len(out) == 0 {
		return nil, fmt.Sprintf("The %s field must not be empty.", field)
	}
	return out, ""
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// optString reads an optional string field; absent and null are "".
func optString(fe *fieldErrors, field string, raw json.RawMessage, maxLen int) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		fe.add(field, "The %s must be a string.", field)
		return ""
	}
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		fe.add(field, "The %s may not be greater than %d characters.", field, maxLen)
	}
	return s
}

// reqString reads a required string field.
func reqString(fe *fieldErrors, field string, raw json.RawMessage, maxLen int) string {
	if isNull(raw) {
		fe.add(field, "The %s field is required.", field)
		return ""
	}
	s := optString(fe, field, raw, maxLen)
	if s == "" && len((*fe)[field]) == 0 {
		fe.add(field, "The %s field is required.", field)
	}
	return s
}

// checkID enforces CometChat's alpha-dash rule for uids and guids.
func checkID(fe *fieldErrors, field, id string) {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			fe.add(field, "The %s may only contain letters, numbers, dashes and underscores.", field)
			return
		}
	}
}

// optUnix reads a 10-digit UNIX timestamp sent as a JSON integer or as a
// numeric string (the documentation's examples send strings). 0 means absent.
func optUnix(fe *fieldErrors, field string, raw json.RawMessage) int64 {
	if isNull(raw) {
		return 0
	}
	s := string(bytes.TrimSpace(raw))
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			s = ""
		}
	}
	ok := len(s) == 10 && s[0] >= '1' && s[0] <= '9'
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		fe.add(field, "The %s must be a 10-digit UNIX timestamp.", field)
		return 0
	}
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

// optObject reads an optional JSON object such as metadata.
func optObject(fe *fieldErrors, field string, raw json.RawMessage) map[string]any {
	if isNull(raw) {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		fe.add(field, "The %s must be a JSON object.", field)
		return nil
	}
	return m
}

// optTags reads an optional array of at most 25 strings.
func optTags(fe *fieldErrors, field string, raw json.RawMessage) []string {
	if isNull(raw) {
		return nil
	}
	var tags []string
	if err := json.Unmarshal(raw, &tags); err != nil {
		fe.add(field, "The %s must be an array of strings.", field)
		return nil
	}
	if len(tags) > maxTags {
		fe.add(field, "The %s may not have more than %d items.", field, maxTags)
	}
	return tags
}

// optBool reads an optional boolean such as isBanned.
func optBool(fe *fieldErrors, field string, raw json.RawMessage) bool {
	if isNull(raw) {
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		fe.add(field, "The %s field must be true or false.", field)
	}
	return b
}
