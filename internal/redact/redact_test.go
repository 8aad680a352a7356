package redact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fakeKey = "fake-api-key-0123"
	fakeSig = "eJyrVkrxCdZLLUpPTVGyUiou"
)

func TestStringMasksSecretsAndQueryValues(t *testing.T) {
	r := New(fakeKey, "")
	got := r.String("key " + fakeKey + " url https://h/v4/x?usersig=" + fakeSig + "&random=1 and APIKEY=abc")
	assert.NotContains(t, got, fakeKey)
	assert.NotContains(t, got, fakeSig)
	assert.NotContains(t, got, "abc")
	assert.Contains(t, got, "random=1")
	assert.Equal(t, 3, strings.Count(got, Mask))
}

func TestURLMasksUsersigAndUserinfo(t *testing.T) {
	u, err := url.Parse("https://user:pw@host/v4/svc/cmd?sdkappid=1&usersig=" + fakeSig + "&random=7")
	require.NoError(t, err)
	got := New().URL(u)
	assert.NotContains(t, got, fakeSig)
	assert.NotContains(t, got, "pw")
	assert.Contains(t, got, "usersig="+Mask)
	assert.Contains(t, got, "random=7")
	assert.Contains(t, u.RawQuery, fakeSig, "the original URL is left alone")
}

func TestErrorRebuildsURLErrors(t *testing.T) {
	inner := &url.Error{Op: "Post", URL: "https://host/v4/x?usersig=" + fakeSig, Err: context.DeadlineExceeded}
	r := New(fakeKey)
	for _, err := range []error{inner, fmt.Errorf("send: %w", inner)} {
		got := r.Error(err)
		assert.NotContains(t, got.Error(), fakeSig)
		var ue *url.Error
		require.ErrorAs(t, got, &ue)
		assert.NotContains(t, ue.URL, fakeSig)
		assert.ErrorIs(t, got, context.DeadlineExceeded)
	}
}

func TestErrorMasksTextButKeepsChain(t *testing.T) {
	base := errors.New("server said " + fakeKey)
	got := New(fakeKey).Error(fmt.Errorf("wrapped: %w", base))
	assert.NotContains(t, got.Error(), fakeKey)
	assert.ErrorIs(t, got, base)

	clean := errors.New("nothing secret")
	assert.Same(t, clean, New(fakeKey).Error(clean))
	assert.NoError(t, New(fakeKey).Error(nil))
}

func TestAddMasksLaterSecrets(t *testing.T) {
	r := New()
	assert.Equal(t, "sig "+fakeSig, r.String("sig "+fakeSig))
	r.Add(fakeSig)
	r.Add(fakeSig)
	r.Add("")
	assert.Equal(t, "sig "+Mask, r.String("sig "+fakeSig))
	assert.Len(t, r.secrets, 1)
}

// oddSig has characters that every escaping changes.
const oddSig = "fake*sig/with+odd chars~\"q\"é🚀"

// jsonAll escapes every character of s as \uXXXX, as some JSON encoders
// do for all but ASCII letters.
func jsonAll(s string, upper bool) string {
	var b strings.Builder
	for _, r := range s {
		var units []rune
		if r > 0xffff {
			r -= 0x10000
			units = []rune{0xd800 + r>>10, 0xdc00 + r&0x3ff}
		} else {
			units = []rune{r}
		}
		for _, u := range units {
			if upper {
				fmt.Fprintf(&b, `\u%04X`, u)
			} else {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		}
	}
	return b.String()
}

func TestStringMasksEveryForm(t *testing.T) {
	percentAll := func(s string) string {
		var b strings.Builder
		for i := range len(s) {
			fmt.Fprintf(&b, "%%%02x", s[i])
		}
		return b.String()
	}
	quoted, err := json.Marshal(oddSig)
	require.NoError(t, err)
	inner := string(quoted[1 : len(quoted)-1])
	forms := map[string]string{
		"raw":                  oddSig,
		"query-escaped":        url.QueryEscape(oddSig),
		"path-escaped":         url.PathEscape(oddSig),
		"query-escaped, lower": strings.ToLower(url.QueryEscape(oddSig)),
		"every byte %-escaped": percentAll(oddSig),
		"JSON, encoding/json":  inner,
		"JSON, slash escaped":  strings.ReplaceAll(inner, "/", `\/`),
		"JSON, \\u002a":        strings.NewReplacer("*", `\u002a`, "/", `\/`, " ", `\u0020`).Replace(oddSig[:len(oddSig)-len(`"q"é🚀`)]) + `\"q\"é🚀`,
		"JSON, all \\u, lower": jsonAll(oddSig, false),
		"JSON, all \\u, upper": jsonAll(oddSig, true),
	}
	r := New(oddSig)
	for name, form := range forms {
		got := r.String(`{"message":"bad usersig ` + form + ` at x"}`)
		assert.Equal(t, `{"message":"bad usersig `+Mask+` at x"}`, got, name)
	}
	assert.Equal(t, "fake*sig/with+odd", r.String("fake*sig/with+odd"), "part of a secret is not the secret")
}

func TestStringMasksEscapedQueryValues(t *testing.T) {
	for _, text := range []string{`usersig%3DeJyabc%2A&random=1`, `usersig\u003deJyabc&random=1`, `APIKEY%3ddef&random=1`} {
		got := New().String("GET /v4/x?" + text)
		assert.NotContains(t, got, "eJyabc", text)
		assert.NotContains(t, got, "def", text)
		assert.Contains(t, got, Mask, text)
		assert.Contains(t, got, "random=1", text)
	}
}

// An excerpt is masked, then cut: no prefix of a secret survives the cut,
// in any form, wherever the cut falls.
func TestExcerptMasksBeforeCutting(t *testing.T) {
	const key = "fake-api-key-0123456789abcdef" // 29 characters
	r := New(key)
	for _, form := range []string{key, url.QueryEscape(key), jsonAll(key, false)} {
		for lead := range 200 {
			body := []byte("<html>" + strings.Repeat("é", lead) + form + "</html>")
			got := r.Excerpt(body, 200)
			assert.NotContains(t, got, key[:4], "lead %d", lead)
			assert.NotContains(t, got, form[:4], "lead %d", lead)
			assert.LessOrEqual(t, utf8.RuneCountInString(strings.TrimSuffix(got, "…")), 200, "lead %d", lead)
			if 6+lead+len(Mask) <= 200 {
				assert.Contains(t, got, Mask, "lead %d", lead)
			}
		}
	}
	assert.Equal(t, "<p>"+Mask+"</p>", r.Excerpt([]byte("<p>"+key+"</p>"), 200))
	assert.Equal(t, "abc…", r.Excerpt([]byte("abcdef"), 3))
	assert.Equal(t, "ab\uFFFDc", r.Excerpt([]byte("ab\xffc"), 10), "invalid UTF-8 becomes U+FFFD")
	assert.Equal(t, "…", r.Excerpt([]byte("abc"), 0))
	long := r.Excerpt([]byte(strings.Repeat("x", 1<<20)+key), 200)
	assert.Equal(t, strings.Repeat("x", 200)+"…", long)
	sig := New().Excerpt([]byte("see ?usersig=eJyrVkrxCdZLLUpPTVGyUiou&x"), 15)
	assert.NotContains(t, sig, "eJy")
}

func TestDetailsMasksKeysAndMessages(t *testing.T) {
	r := New(fakeKey)
	got := r.Details(map[string][]string{
		"apikey " + fakeKey:            {"value " + url.QueryEscape(fakeKey)},
		"uid":                          {"taken", "by " + fakeKey},
		strings.ToUpper("x") + fakeKey: {"other"},
		"empty":                        {},
	})
	assert.Equal(t, map[string][]string{
		"apikey " + Mask: {"value " + Mask},
		"uid":            {"taken", "by " + Mask},
		"X" + Mask:       {"other"},
		"empty":          {},
	}, got)
	assert.Nil(t, r.Details(nil))
}

// FuzzRedact checks that a secret put anywhere in any form is masked, that
// an excerpt stays within its length, and that neither panics.
func FuzzRedact(f *testing.F) {
	f.Add("before ", "fake*sig/1 é", " after", uint8(0), 40)
	f.Add(`{"m":"`, "abcdefgh-0123", `"}`, uint8(3), 10)
	f.Fuzz(func(t *testing.T, before, secret, after string, form uint8, n int) {
		if len(secret) < 8 || !utf8.ValidString(secret) || strings.ContainsAny(secret, `REDACT\%+`) {
			return // a secret that shares text with the mask or with an escape's syntax is another test's matter
		}
		encodings := []func(string) string{
			func(s string) string { return s }, url.QueryEscape, url.PathEscape,
			func(s string) string { return jsonAll(s, false) }, func(s string) string { return jsonAll(s, true) },
			func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
		}
		encoded := encodings[int(form)%len(encodings)](secret)
		r := New(secret)
		got := r.String(before + encoded + after)
		if strings.Contains(got, secret) || strings.Contains(got, encoded) || !strings.Contains(got, Mask) {
			t.Fatalf("secret %q as %q in %q: %q", secret, encoded, before+encoded+after, got)
		}
		n %= 300
		ex := r.Excerpt([]byte(before+encoded+after), n)
		if c := utf8.RuneCountInString(strings.TrimSuffix(ex, "…")); c > max(n, 0) || !utf8.ValidString(ex) || strings.Contains(ex, secret) {
			t.Fatalf("Excerpt(%q, %d) = %q", before+encoded+after, n, ex)
		}
	})
}
