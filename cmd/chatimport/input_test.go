package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnixTimeTakesNumbersAndNumericStrings(t *testing.T) {
	for raw, want := range map[string]time.Time{
		`1673421419`:   time.Unix(1673421419, 0),
		`"1673421419"`: time.Unix(1673421419, 0),
		`null`:         {},
		`""`:           {},
		`0`:            {},
		`"0"`:          {},
		// Out of range is the library's to refuse, with its own message.
		`1673421419000`: time.Unix(1673421419000, 0),
		`-5`:            time.Unix(-5, 0),
	} {
		got, err := unixTime("createdAt", json.RawMessage(raw))
		require.NoError(t, err, raw)
		assert.True(t, want.Equal(got), "%s: got %v", raw, got)
	}
	for _, raw := range []string{`"yesterday"`, `1.5`, `true`, `"1e9"`, `{}`} {
		_, err := unixTime("createdAt", json.RawMessage(raw))
		assert.ErrorContains(t, err, "createdAt must be UNIX seconds", raw)
	}
}

func TestDecodeUserKeepsEveryField(t *testing.T) {
	u, err := decodeUser(inputLine{text: []byte(`{"uid":"a","name":"Ä","avatar":"https://x/a.png","link":"https://x/a","role":"default",
		"createdAt":"1673421419","lastActiveAt":1673421500,"deactivatedAt":"1673421600",
		"metadata":{"@private":{"email":"a@example.com"},"id":12345678901234567890},"tags":["t"]}`)})
	require.NoError(t, err)
	assert.Equal(t, "Ä", u.Name)
	assert.Equal(t, int64(1673421419), u.CreatedAt.Unix())
	assert.Equal(t, int64(1673421500), u.LastActiveAt.Unix())
	assert.Equal(t, int64(1673421600), u.DeactivatedAt.Unix())
	assert.Equal(t, []string{"t"}, u.Tags)
	assert.Equal(t, json.Number("12345678901234567890"), u.Metadata["id"], "large integers stay exact")
}

func TestDecodeMember(t *testing.T) {
	m, err := decodeMember(inputLine{text: []byte(`{"memberId":"g_member_u","guid":"g","uid":"u","scope":"admin","isBanned":true,
		"joinedAt":"1673421479","unreadMsgNum":4,"groupDetails":{"guid":"g","name":"G","type":"password","password":"p",
		"owner":"u","createdAt":1673421419,"icon":"https://x/i.png","metadata":{"k":"v"},"tags":["a"]},
		"userDetails":{"name":"U","createdAt":"1673421400"}}`)})
	require.NoError(t, err)
	assert.Equal(t, "g_member_u", m.ID())
	assert.True(t, m.Banned)
	assert.Equal(t, 4, m.UnreadCount)
	assert.Equal(t, int64(1673421479), m.JoinedAt.Unix())
	assert.Equal(t, "p", m.Group.Password)
	assert.Equal(t, int64(1673421419), m.Group.CreatedAt.Unix())
	assert.Equal(t, "U", m.User.Name)
	assert.Equal(t, int64(1673421400), m.User.CreatedAt.Unix())
}

func TestDecodeErrorsNameTheProblem(t *testing.T) {
	for line, want := range map[string]string{
		`{"uid":"a"`:                            "the line ends inside a value",
		`not json`:                              "not valid JSON at byte 2",
		`[1,2]`:                                 "a line must be a JSON object, not a JSON array",
		`{"uid":1}`:                             "uid must be a string, not a JSON number",
		`{"uid":"a","tags":"x"}`:                "tags must be an array of strings, not a JSON string",
		`{"uid":"a","metadata":[]}`:             "metadata must be an object, not a JSON array",
		`{"uid":"a","nick":"x"}`:                `unknown field "nick": not a field of the import documents`,
		`{"uid":"a"} {"uid":"b"}`:               "more than one JSON value on the line",
		`{"uid":"a","lastActiveAt":"soon"}`:     `lastActiveAt must be UNIX seconds as a number or a numeric string, not "soon"`,
		`{"uid":"a","userDetails":{"uid":"a"}}`: `unknown field "userDetails"`,
		// encoding/json would keep the last value, or U+FFFD, silently.
		`{"uid":"a","name":"A","uid":"b"}`:                 `key "uid" appears twice on the line`,
		`{"uid":"a","\u0075id":"b"}`:                       `key "uid" appears twice on the line`,
		`{"uid":"a","metadata":{"k":1,"k":2}}`:             `key "metadata.k" appears twice on the line`,
		"{\"uid\":\"a\",\"name\":\"Jos\xe9\"}":             `invalid UTF-8 in name at byte 22`,
		`{"uid":"a","name":"\ud800"}`:                      `invalid surrogate pair`,
		`{"uid":"a","metadata":{"k":{"x":1},"j":{"x":1}}}`: "", // the same key in two objects is fine
	} {
		if want == "" {
			_, err := decodeUser(inputLine{text: []byte(line)})
			assert.NoError(t, err, line)
			continue
		}
		_, err := decodeUser(inputLine{text: []byte(line)})
		assert.ErrorContains(t, err, want, line)
	}
	for line, want := range map[string]string{
		`{"guid":"g","uid":"u","memberId":"x"}`:                           `memberId "x" is not <guid>_member_<uid> ("g_member_u")`,
		`{"guid":"g","uid":"u","isBanned":"yes"}`:                         "isBanned must be true or false",
		`{"guid":"g","uid":"u","unreadMsgNum":"3"}`:                       "unreadMsgNum must be an integer",
		`{"guid":"g","uid":"u","groupDetails":"g"}`:                       "groupDetails must be an object",
		`{"guid":"g","uid":"u","groupDetails":{"createdAt":"x"}}`:         "groupDetails.createdAt must be UNIX seconds",
		`{"guid":"g","uid":"u","userDetails":{"lastActiveAt":"x"}}`:       "userDetails.lastActiveAt must be UNIX seconds",
		`{"guid":"g","uid":"u","groupDetails":{"name":"G","typ":"open"}}`: `unknown field "typ"`,
	} {
		_, err := decodeMember(inputLine{text: []byte(line)})
		assert.ErrorContains(t, err, want, line)
	}
}

func TestScanLinesNumbersLinesAndRecords(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	input := "a\n\n  \nb\r\n" + long + "\nc" // no newline at the end
	var got []inputLine
	require.NoError(t, scanLines(t.Context(), strings.NewReader(input), nil, func(l inputLine) bool {
		l.text = []byte(strings.TrimSpace(string(l.text)))
		got = append(got, l)
		return true
	}))
	require.Len(t, got, 4)
	assert.Equal(t, inputLine{index: 0, num: 1, text: []byte("a")}, got[0])
	assert.Equal(t, inputLine{index: 1, num: 4, text: []byte("b")}, got[1])
	assert.True(t, got[2].tooLong, "a line over the limit is handed over, marked")
	assert.Equal(t, 5, got[2].num)
	assert.Equal(t, inputLine{index: 3, num: 6, text: []byte("c")}, got[3])

	_, err := decodeUser(got[2])
	assert.ErrorContains(t, err, "line longer than")
}

func TestInputFingerprintFollowsTheContent(t *testing.T) {
	path := writeFile(t, "users.jsonl", `{"uid":"a","name":"A"}`, ``, `{"uid":"b","name":"B"}`)
	a, err := fileInput(t.Context(), "users", path)
	require.NoError(t, err)
	assert.Equal(t, 2, a.records)
	b, err := embeddedInput(t.Context(), "users", "same", []byte(`{"uid":"a","name":"A"}`+"\n\n"+`{"uid":"b","name":"B"}`+"\n"))
	require.NoError(t, err)
	assert.Equal(t, a.fingerprint, b.fingerprint, "the same bytes, the same fingerprint")
	c, err := embeddedInput(t.Context(), "users", "other", []byte(`{"uid":"a","name":"A"}`+"\n"))
	require.NoError(t, err)
	assert.NotEqual(t, a.fingerprint, c.fingerprint)
}
