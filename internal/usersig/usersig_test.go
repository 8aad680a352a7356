package usersig_test

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatimport/chatimport/internal/usersig"
)

// Obviously fake credentials.
const (
	appID = uint64(1400000000)
	key   = "fake-secret-key-for-tests"
	ident = "administrator"
)

var issued = time.Unix(1700000000, 0)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sign(t testing.TB, expire time.Duration) string {
	t.Helper()
	sig, err := usersig.Sign(appID, key, ident, issued, expire)
	must(t, err)
	return sig
}

var (
	testEscape   = strings.NewReplacer("+", "*", "/", "-", "=", "_")
	testUnescape = strings.NewReplacer("*", "+", "-", "/", "_", "=")
)

// decode is an independent decoder: it shares no code with the package.
func decode(t *testing.T, sig string) map[string]any {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(testUnescape.Replace(sig))
	must(t, err)
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	must(t, err)
	plain, err := io.ReadAll(zr)
	must(t, err)
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber() // keeps numbers distinguishable from strings, digit for digit
	var m map[string]any
	must(t, dec.Decode(&m))
	return m
}

// encodeRaw is an independent encoder, so Verify is checked against sigs this
// package did not produce (other key order, no compression, hostile content).
func encodeRaw(t *testing.T, plain []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.NoCompression)
	must(t, err)
	_, err = zw.Write(plain)
	must(t, err)
	must(t, zw.Close())
	return testEscape.Replace(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

func encode(t *testing.T, doc map[string]any) string {
	t.Helper()
	plain, err := json.Marshal(doc)
	must(t, err)
	return encodeRaw(t, plain)
}

func testMAC(secret, content string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(content))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestSignFormat(t *testing.T) {
	sig, err := usersig.Sign(appID, key, ident, issued.Add(900*time.Millisecond), 180*24*time.Hour+500*time.Millisecond)
	must(t, err)
	if strings.ContainsAny(sig, "+/=") {
		t.Errorf("sig not escaped: %q", sig)
	}

	m := decode(t, sig)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"TLS.expire", "TLS.identifier", "TLS.sdkappid", "TLS.sig", "TLS.time", "TLS.ver"}; !slices.Equal(keys, want) {
		t.Errorf("fields = %v, want %v", keys, want)
	}
	for field, want := range map[string]any{
		"TLS.ver":        "2.0",
		"TLS.identifier": ident,
		"TLS.sdkappid":   json.Number("1400000000"),
		"TLS.expire":     json.Number("15552000"), // whole seconds
		"TLS.time":       json.Number("1700000000"),
		"TLS.sig": testMAC(key,
			"TLS.identifier:administrator\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:15552000\n"),
	} {
		if got := m[field]; got != want {
			t.Errorf("%s = %#v (%T), want %#v (%T)", field, got, got, want, want)
		}
	}
}

func TestSignRejectsBadInput(t *testing.T) {
	for name, tc := range map[string]struct {
		key, id string
		expire  time.Duration
	}{
		"empty key":    {"", ident, time.Hour},
		"empty id":     {key, "", time.Hour},
		"newline id":   {key, "a\nb", time.Hour},
		"invalid utf8": {key, "a\xffb", time.Hour},
		"sub-second":   {key, ident, 999 * time.Millisecond},
		"zero expire":  {key, ident, 0},
		"negative":     {key, ident, -time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := usersig.Sign(appID, tc.key, tc.id, issued, tc.expire)
			if err == nil {
				t.Fatal("want error")
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error leaks key: %v", err)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	c, err := usersig.Verify(sign(t, time.Hour), appID, key, issued)
	must(t, err)
	want := usersig.Claims{Identifier: ident, SDKAppID: appID, Issued: issued, Expire: time.Hour}
	if c != want {
		t.Errorf("claims = %+v, want %+v", c, want)
	}
}

func TestVerifyForeignSig(t *testing.T) {
	sig := encode(t, map[string]any{
		"TLS.sig":        testMAC(key, "TLS.identifier:u_1\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:60\n"),
		"TLS.time":       1700000000,
		"TLS.expire":     60,
		"TLS.sdkappid":   appID,
		"TLS.identifier": "u_1",
		"TLS.ver":        "2.0",
	})
	c, err := usersig.Verify(sig, appID, key, issued)
	must(t, err)
	if c.Identifier != "u_1" || c.Expire != time.Minute {
		t.Errorf("claims = %+v", c)
	}
}

func TestVerifyExpiryBoundary(t *testing.T) {
	sig := sign(t, time.Hour)
	for _, tc := range []struct {
		at   time.Duration
		want error
	}{
		{time.Hour - time.Second, nil},
		{time.Hour, nil}, // the provider still accepts issued+expire itself
		{time.Hour + time.Second, usersig.ErrExpired},
		{48 * time.Hour, usersig.ErrExpired},
	} {
		if _, err := usersig.Verify(sig, appID, key, issued.Add(tc.at)); !errors.Is(err, tc.want) {
			t.Errorf("at issued+%v: err = %v, want %v", tc.at, err, tc.want)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	sig := sign(t, time.Hour)

	// A genuinely signed document padded with 1 MiB of JSON whitespace: it
	// deflates to a few KiB and would verify if inflation were not capped.
	plain, err := json.Marshal(decode(t, sig))
	must(t, err)
	plain = append(append(bytes.Repeat([]byte(" "), 1<<20), plain...), ' ')
	var bomb bytes.Buffer
	zw := zlib.NewWriter(&bomb)
	_, err = zw.Write(plain)
	must(t, err)
	must(t, zw.Close())
	bombSig := testEscape.Replace(base64.StdEncoding.EncodeToString(bomb.Bytes()))
	if len(bombSig) >= 8<<10 {
		t.Fatalf("bomb is %d chars; it must get past the length check", len(bombSig))
	}

	doc := func(mut func(m map[string]any)) string {
		m := map[string]any{"TLS.ver": "2.0", "TLS.identifier": ident, "TLS.sdkappid": appID, "TLS.expire": 3600, "TLS.time": issued.Unix(),
			"TLS.sig": testMAC(key, "TLS.identifier:administrator\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:3600\n")}
		mut(m)
		return encode(t, m)
	}
	_, err = usersig.Verify(doc(func(map[string]any) {}), appID, key, issued)
	must(t, err) // the unmodified baseline verifies, so each mutation below is what fails

	cases := map[string]struct {
		sig, key string
		app      uint64
		want     error
	}{
		"wrong key":        {sig, "another-fake-key", appID, usersig.ErrBadSignature},
		"wrong app":        {sig, key, appID + 1, usersig.ErrWrongApp},
		"tampered expire":  {doc(func(m map[string]any) { m["TLS.expire"] = 7200 }), key, appID, usersig.ErrBadSignature},
		"tampered ident":   {doc(func(m map[string]any) { m["TLS.identifier"] = "root" }), key, appID, usersig.ErrBadSignature},
		"empty":            {"", key, appID, usersig.ErrMalformed},
		"garbage":          {"!!!not base64!!!", key, appID, usersig.ErrMalformed},
		"base64 not zlib":  {"aGVsbG8gd29ybGQ_", key, appID, usersig.ErrMalformed},
		"truncated":        {sig[:len(sig)-4], key, appID, usersig.ErrMalformed},
		"truncated odd":    {sig[:len(sig)/2+1], key, appID, usersig.ErrMalformed},
		"too long":         {strings.Repeat("A", 1<<16), key, appID, usersig.ErrMalformed},
		"inflate bomb":     {bombSig, key, appID, usersig.ErrMalformed},
		"not json":         {encodeRaw(t, []byte("not json")), key, appID, usersig.ErrMalformed},
		"empty doc":        {encodeRaw(t, []byte("{}")), key, appID, usersig.ErrMalformed},
		"wrong ver":        {doc(func(m map[string]any) { m["TLS.ver"] = "1.0" }), key, appID, usersig.ErrMalformed},
		"string appid":     {doc(func(m map[string]any) { m["TLS.sdkappid"] = "1400000000" }), key, appID, usersig.ErrMalformed},
		"negative expire":  {doc(func(m map[string]any) { m["TLS.expire"] = -1 }), key, appID, usersig.ErrMalformed},
		"huge expire":      {doc(func(m map[string]any) { m["TLS.expire"] = int64(1) << 62 }), key, appID, usersig.ErrMalformed},
		"sig not base64":   {doc(func(m map[string]any) { m["TLS.sig"] = "%%%" }), key, appID, usersig.ErrMalformed},
		"short sig":        {doc(func(m map[string]any) { m["TLS.sig"] = "AAAA" }), key, appID, usersig.ErrMalformed},
		"missing sig":      {doc(func(m map[string]any) { delete(m, "TLS.sig") }), key, appID, usersig.ErrMalformed},
		"missing identity": {doc(func(m map[string]any) { delete(m, "TLS.identifier") }), key, appID, usersig.ErrMalformed},
		"userbuf present":  {doc(func(m map[string]any) { m["TLS.userbuf"] = "AA==" }), key, appID, usersig.ErrMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := usersig.Verify(tc.sig, tc.app, tc.key, issued)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if c != (usersig.Claims{}) {
				t.Errorf("claims returned with error: %+v", c)
			}
			if strings.Contains(err.Error(), key) || (tc.sig != "" && strings.Contains(err.Error(), tc.sig)) {
				t.Errorf("error leaks key or sig: %v", err)
			}
		})
	}
}

// fakeClock is safe for concurrent use so the race test can advance it.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func cacheGet(t testing.TB, c *usersig.Cache) string {
	t.Helper()
	sig, err := c.Get()
	must(t, err)
	return sig
}

func TestCacheRefresh(t *testing.T) {
	clk := newFakeClock(issued)
	c := usersig.NewCache(appID, key, ident, 100*time.Second, clk.Now)

	first := cacheGet(t, c)
	clk.Advance(90 * time.Second) // exactly 90%: not yet past it
	if again := cacheGet(t, c); again != first {
		t.Error("regenerated before 90% of validity")
	}

	clk.Advance(time.Nanosecond)
	fresh := cacheGet(t, c)
	if fresh == first {
		t.Fatal("not regenerated after 90% of validity")
	}
	claims, err := usersig.Verify(fresh, appID, key, clk.Now())
	must(t, err)
	if !claims.Issued.Equal(issued.Add(90*time.Second)) || claims.Expire != 100*time.Second || claims.Identifier != ident {
		t.Errorf("claims = %+v", claims)
	}
	if same := cacheGet(t, c); same != fresh {
		t.Error("regenerated again without the clock moving")
	}
}

func TestCacheDefaultValidity(t *testing.T) {
	clk := newFakeClock(issued)
	claims, err := usersig.Verify(cacheGet(t, usersig.NewCache(appID, key, ident, 0, clk.Now)), appID, key, clk.Now())
	must(t, err)
	if claims.Expire != 24*time.Hour {
		t.Errorf("expire = %v, want 24h", claims.Expire)
	}
}

func TestCacheErrorDoesNotLeakKey(t *testing.T) {
	_, err := usersig.NewCache(appID, key, "", time.Hour, nil).Get()
	if err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("err = %v, want an error without the key", err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	clk := newFakeClock(issued)
	c := usersig.NewCache(appID, key, ident, 10*time.Second, clk.Now)

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[string]bool{}
	)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				if (g+i)%7 == 0 {
					clk.Advance(37 * time.Millisecond)
				}
				before := clk.Now()
				sig, err := c.Get()
				if err != nil {
					t.Error(err)
					return
				}
				// Get saw a clock at least this late, so the sig must be valid now.
				if _, err := usersig.Verify(sig, appID, key, before); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[sig] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) < 2 {
		t.Errorf("saw %d distinct sigs; the clock moved far enough to force regeneration", len(seen))
	}
}

func FuzzVerify(f *testing.F) {
	sig := sign(f, time.Hour)
	f.Add(sig)
	f.Add(sig[:len(sig)/2])
	f.Add("")
	f.Add("eJyrVgpJLS4BAAXMAck_")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := usersig.Verify(s, appID, key, issued)
		if err != nil {
			if !errors.Is(err, usersig.ErrMalformed) && !errors.Is(err, usersig.ErrBadSignature) &&
				!errors.Is(err, usersig.ErrWrongApp) && !errors.Is(err, usersig.ErrExpired) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatal("error leaks key")
			}
			return
		}
		if c.SDKAppID != appID || c.Identifier == "" {
			t.Fatalf("accepted sig with bad claims: %+v", c)
		}
	})
}
