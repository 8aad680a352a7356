package wirejson

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk reads doc into a generic value with the Reader, as a reference for
// comparing it with encoding/json.
func walk(r *Reader) (any, error) {
	switch r.peek() {
	case '{':
		m := map[string]any{}
		err := r.Object(func(k []byte) error {
			v, err := walk(r)
			m[string(k)] = v
			return err
		})
		return m, err
	case '[':
		a := []any{}
		err := r.Array(func() error {
			v, err := walk(r)
			a = append(a, v)
			return err
		})
		return a, err
	case '"':
		s, err := r.String()
		return string(s), err
	}
	if r.Null() {
		return nil, nil
	}
	raw, err := r.Raw()
	if err != nil {
		return nil, err
	}
	if b, err := NewReader(raw).Bool(); err == nil {
		return b, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, ErrSyntax
	}
	return f, nil
}

func read(doc string) (any, error) {
	r := NewReader([]byte(doc))
	v, err := walk(r)
	if err == nil {
		err = r.End()
	}
	return v, err
}

func TestReaderAgreesWithEncodingJSON(t *testing.T) {
	for _, doc := range []string{`{}`, ` [ ] `, `{"a":1, "b" : "x\"y",
"c":{"d":[1,{"e":"]}"}],"f":null},"g":[],"h":true,"i":-1.5e3,"j":false,"k":"\u00e9"}`, `[1,"two",{"3":[4]}]`} {
		got, err := read(doc)
		require.NoError(t, err, doc)
		var want any
		require.NoError(t, json.Unmarshal([]byte(doc), &want))
		assert.Equal(t, want, got, doc)
	}
}

func TestMalformedIsRefused(t *testing.T) {
	for _, doc := range []string{``, `[`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1 "b":2}`, `{"a":[1}`, `{"a":{]}`,
		`{"a":"unterminated}`, `{"a":tru}`, `{"a":1}x`, `{a:1}`, "{\"a\":\"ctl\x01\"}", `{"a":--}`, `{"a":01}`,
		`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, `[1,]`, `[1 2]`, `{"a\q":1}`} {
		_, err := read(doc)
		assert.ErrorIs(t, err, ErrSyntax, doc)
	}
}

func TestCallbackErrorStopsTheWalk(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	r := NewReader([]byte(`{"a":1,"b":2}`))
	err := r.Object(func([]byte) error { n++; return stop })
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

func TestReaders(t *testing.T) {
	n, err := NewReader([]byte(" -42 ")).Int()
	require.NoError(t, err)
	assert.EqualValues(t, -42, n)
	_, err = NewReader([]byte("1.5")).Int()
	assert.ErrorIs(t, err, ErrSyntax)
	_, err = NewReader([]byte(`"7"`)).Int()
	assert.ErrorIs(t, err, ErrSyntax)

	v, err := NewReader([]byte("true")).Bool()
	assert.True(t, v)
	assert.NoError(t, err)
	_, err = NewReader([]byte(`"true"`)).Bool()
	assert.ErrorIs(t, err, ErrSyntax)

	s, err := NewReader([]byte(`"plain"`)).String()
	require.NoError(t, err)
	assert.Equal(t, "plain", string(s))
	s, err = NewReader([]byte(`"a\u00e9\n"`)).String()
	require.NoError(t, err)
	assert.Equal(t, "aé\n", string(s))
	_, err = NewReader([]byte(`12`)).String()
	assert.ErrorIs(t, err, ErrSyntax)

	r := NewReader([]byte(`null 5`))
	assert.True(t, r.Null())
	assert.False(t, r.Null())

	var keys []string
	r = NewReader([]byte(`{"a\"b":1,"caf\u00e9":2,"plain":3}`))
	require.NoError(t, r.Object(func(k []byte) error {
		keys = append(keys, string(k))
		return r.Skip()
	}))
	assert.Equal(t, []string{`a"b`, "café", "plain"}, keys, "keys come decoded")
}

// A server echoes a stored value as deep as it was stored; skipping it must
// not refuse it, nor cost a frame per level.
func TestSkipHasNoDepthLimit(t *testing.T) {
	const depth = 100_000
	deep := strings.Repeat(`{"a":[`, depth) + "1" + strings.Repeat("]}", depth)
	doc := []byte(`{"echo":` + deep + `,"ok":true}`)
	r := NewReader(doc)
	var ok bool
	require.NoError(t, r.Object(func(k []byte) error {
		if string(k) == "ok" {
			var err error
			ok, err = r.Bool()
			return err
		}
		return r.Skip()
	}))
	assert.True(t, ok)

	raw, err := NewReader([]byte(deep)).Raw()
	require.NoError(t, err)
	assert.Len(t, raw, len(deep))
	for _, bad := range []string{deep[:len(deep)-1], deep[:len(deep)-2] + "]]", deep + "]"} {
		r := NewReader([]byte(bad))
		err := r.Skip()
		if err == nil {
			err = r.End()
		}
		assert.ErrorIs(t, err, ErrSyntax, "%d bytes", len(bad))
	}
}

// Skipping is not trusting: whatever is skipped must still be JSON.
func TestSkipRefusesWhatIsNotJSON(t *testing.T) {
	for _, v := range []string{`[tru]`, `[nul]`, `[True]`, `{"a":01}`, `["\q"]`, `["\u12"]`, `["\u12G4"]`, `[1,]`, `[,1]`, `{"a" 1}`,
		`{"a":1,}`, `{,}`, `[}`, `{]`, `{1:2}`, `{a:2}`, `[1 2]`, `{"a":-}`, `[.5]`, `[1.]`, `[1e]`, `[1e+]`, `[+1]`, `{"a":"b" "c"}`,
		`{"a"::1}`, `{"a":1 "b":2}`, `[[]`, `[]]`, "[\"\x01\"]", `["a]`, `[1]x`, `{"a":[1,{"b":truex}]}`, `[0x1]`, `[-01]`, `[NaN]`,
		`[Infinity]`, `['a']`, `[1 ,, 2]`, `{"a":1}}`, `[1]]`} {
		r := NewReader([]byte(`{"skipped":` + v + `}`))
		err := r.Object(func([]byte) error { return r.Skip() })
		if err == nil {
			err = r.End()
		}
		assert.ErrorIs(t, err, ErrSyntax, v)
		assert.False(t, json.Valid([]byte(v)), "encoding/json accepts %s", v)
	}
	for _, v := range []string{`[]`, `{}`, ` [ 1 , -0.5e+3 , "\u00e9\/" , { "k" : [ null , true , false ] } ] `, `{"a":{"b":{}},"c":[[],[{}]]}`,
		`"s"`, `0`, `-0`, `1E9`, `null`, "\"\xff\""} {
		r := NewReader([]byte(v))
		require.NoError(t, r.Skip(), v)
		assert.NoError(t, r.End(), v)
	}
}

func TestReadingAllocatesNothing(t *testing.T) {
	doc := []byte(`{"ActionStatus":"OK","ErrorCode":0,"MemberList":[{"Member_Account":"a","Result":1},{"Member_Account":"b","Result":2}]}`)
	sum := 0
	allocs := testing.AllocsPerRun(100, func() {
		r := NewReader(doc)
		_ = r.Object(func(k []byte) error {
			if string(k) != "MemberList" {
				return r.Skip()
			}
			return r.Array(func() error {
				return r.Object(func(k []byte) error {
					if string(k) == "Result" {
						n, err := r.Int()
						sum += int(n)
						return err
					}
					_, err := r.String()
					return err
				})
			})
		})
	})
	assert.Equal(t, 303, sum, "AllocsPerRun runs once more to warm up")
	assert.LessOrEqual(t, allocs, 1.0, "at most the Reader itself")
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x1f", "héllo wörld", "日本語", "emoji 🚀",
		"bad \xff utf8", "sep \u2028 \u2029", "<html>&"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		got := AppendString(nil, s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back), string(got))
		var wantBack string
		require.NoError(t, json.Unmarshal(want, &wantBack))
		assert.Equal(t, wantBack, back, "%q", s)
	}
}

func TestObjectWriter(t *testing.T) {
	o := Begin(nil)
	o.String("uid", "a\"b")
	o.String("empty", "")
	o.Int("createdAt", 1673421419)
	o.Int("zero", 0)
	o.Bool("isBanned", true)
	o.Bool("no", false)
	o.Strings("tags", []string{"x", "y"})
	o.Strings("none", nil)
	o.Key("metadata")
	o.Buf = append(o.Buf, `{"k":1}`...)
	got := o.End()
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m), string(got))
	assert.Equal(t, map[string]any{"uid": `a"b`, "createdAt": float64(1673421419), "isBanned": true,
		"tags": []any{"x", "y"}, "metadata": map[string]any{"k": float64(1)}}, m)
	assert.Equal(t, `{}`, string((&Object{Buf: []byte{'{'}, first: true}).End()))
}

// FuzzReader checks the Reader never panics, reads every document
// encoding/json reads to the same value, and that Skip accepts exactly what
// encoding/json accepts.
func FuzzReader(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":1}`, `{"data":{"u1":{"success":true,"data":{"uid":"u1"}}}}`, `{"a":[1,"]",{"b":null}]}`, `{"a":"\u00e9"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(data)
		err := r.Skip()
		if err == nil {
			err = r.End()
		}
		if (err == nil) != json.Valid(data) && bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) < 10000 {
			t.Fatalf("Skip: %v, but json.Valid: %v, for %q", err, json.Valid(data), data) // encoding/json refuses 10,000 levels
		}
		got, err := read(string(data))
		if err == nil && !json.Valid(data) {
			t.Fatalf("read %q, which is not JSON", data)
		}
		var want any
		if json.Unmarshal(data, &want) != nil || !utf8.Valid(data) {
			return // encoding/json would replace invalid UTF-8; the Reader hands bytes back as sent
		}
		if err != nil {
			if strings.Count(string(data), "[")+strings.Count(string(data), "{") >= maxDepth {
				return // deeper than the Reader allows
			}
			t.Fatalf("refused %q: %v", data, err)
		}
		if !assert.ObjectsAreEqual(want, got) {
			t.Fatalf("%q: got %#v, want %#v", data, got, want)
		}
	})
}

func TestAppendAnyMatchesEncodingJSON(t *testing.T) {
	type custom struct {
		A int `json:"a"`
	}
	for _, v := range []any{
		nil, true, false, "s<&>\u2028", 0.0, math.Copysign(0, -1), 1.5, 1e21, 1e20, 1e-7, 123456789.0, -3.25e-9, 42, int64(-7), int32(3), uint64(9),
		json.Number("12.5"), []string{"a", "b"}, []string(nil), []any{1.0, "x", nil, map[string]any{"k": []any{}}},
		map[string]any{"z": 1.0, "a": "x", "m": map[string]any{"n": true}, "@private": map[string]any{"id": 7.0}},
		map[string]any{}, map[string]string{"k": "v"}, custom{A: 1}, []int{1, 2},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(v))
		got, err := AppendAny([]byte("prefix:"), v)
		require.NoError(t, err, "%#v", v)
		assert.Equal(t, "prefix:"+strings.TrimSuffix(want.String(), "\n"), string(got), "%#v", v)
	}
	big := map[string]any{}
	for i := range 40 {
		big[strings.Repeat("k", i+1)] = float64(i)
	}
	want, err := json.Marshal(big)
	require.NoError(t, err)
	got, err := AppendAny(nil, big)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "more keys than the stack array holds")
}

func TestAppendAnyRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), map[string]any{"f": func() {}}, []any{make(chan int)}, json.Number("1x")} {
		_, err := AppendAny(nil, v)
		assert.Error(t, err, "%#v", v)
	}
}

func TestAppendAnyAllocatesNothingForDecodedJSON(t *testing.T) {
	md := map[string]any{"email": "u@example.com", "plan": "pro", "@private": map[string]any{"id": 1.0}, "tags": []any{"a", 2.0}}
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = AppendAny(buf[:0], md)
	})
	assert.Zero(t, allocs)
}

// Skipping costs one bit per level past the first 256, twice over for the
// doubling, and nothing else: as a level takes two bytes of the answer, a
// hostile answer cannot make it allocate more than a quarter of its size.
func TestSkipAllocatesOnlyABitPerLevel(t *testing.T) {
	skip := func(doc []byte) {
		if err := NewReader(doc).Skip(); err != nil {
			t.Fatal(err)
		}
	}
	shallow := []byte(strings.Repeat("[", 256) + strings.Repeat("]", 256))
	assert.Zero(t, testing.AllocsPerRun(20, func() { skip(shallow) }))

	const depth = 1 << 20
	deep := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	skip(deep)
	runtime.ReadMemStats(&after)
	assert.LessOrEqual(t, after.TotalAlloc-before.TotalAlloc, uint64(len(deep)/4), "bytes allocated")
}
