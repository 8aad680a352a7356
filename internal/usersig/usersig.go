// Package usersig issues and checks Tencent Cloud Chat UserSigs (TLSSigAPIv2)
// with the standard library only, so the secret key never passes through a
// third-party dependency.
package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Verify failures are sentinels so callers can branch with errors.Is without
// parsing text; no message ever includes the key or the sig.
var (
	// ErrMalformed means sig could not be decoded into a v2 document, so
	// nothing it claims can be trusted.
	ErrMalformed = errors.New("usersig: malformed")
	// ErrBadSignature means the document was not signed with this key,
	// whether forged, tampered with or issued for another key.
	ErrBadSignature = errors.New("usersig: signature mismatch")
	// ErrWrongApp means a genuine sig was issued for a different SDKAppID.
	ErrWrongApp = errors.New("usersig: wrong sdkappid")
	// ErrExpired means a genuine sig is past its issue time plus expire.
	ErrExpired = errors.New("usersig: expired")
)

const (
	maxSigLen   = 8 << 10 // far above any real sig; rejects junk before decoding
	maxInflated = 4 << 10 // caps memory spent on hostile zlib bombs
	maxExpire   = math.MaxInt64 / int64(time.Second)
)

// escaper and unescaper map standard base64 to Tencent's URL-safe variant,
// which differs from base64.URLEncoding.
var (
	escaper   = strings.NewReplacer("+", "*", "/", "-", "=", "_")
	unescaper = strings.NewReplacer("*", "+", "-", "/", "_", "=")
)

// document mirrors the JSON fields in the order the provider emits them.
type document struct {
	Ver        string  `json:"TLS.ver"`
	Identifier string  `json:"TLS.identifier"`
	SDKAppID   uint64  `json:"TLS.sdkappid"`
	Expire     int64   `json:"TLS.expire"`
	Time       int64   `json:"TLS.time"`
	Sig        string  `json:"TLS.sig"`
	UserBuf    *string `json:"TLS.userbuf,omitempty"`
}

func (d *document) mac(secretKey string) []byte {
	h := hmac.New(sha256.New, []byte(secretKey))
	io.WriteString(h, "TLS.identifier:"+d.Identifier+"\nTLS.sdkappid:"+strconv.FormatUint(d.SDKAppID, 10)+
		"\nTLS.time:"+strconv.FormatInt(d.Time, 10)+"\nTLS.expire:"+strconv.FormatInt(d.Expire, 10)+"\n")
	return h.Sum(nil)
}

// Sign returns a UserSig for identifier, issued at issued and valid for expire.
// expire is truncated to whole seconds because that is all the format carries.
func Sign(sdkAppID uint64, secretKey, identifier string, issued time.Time, expire time.Duration) (string, error) {
	switch {
	case secretKey == "":
		return "", errors.New("usersig: empty secret key")
	case identifier == "" || strings.ContainsRune(identifier, '\n') || !utf8.ValidString(identifier):
		// A newline would make the signed lines ambiguous, and JSON would
		// rewrite invalid UTF-8 so the HMAC could never verify.
		return "", errors.New("usersig: invalid identifier")
	case expire < time.Second:
		return "", errors.New("usersig: expire must be at least 1s")
	}
	d := document{Ver: "2.0", Identifier: identifier, SDKAppID: sdkAppID, Expire: int64(expire / time.Second), Time: issued.Unix()}
	d.Sig = base64.StdEncoding.EncodeToString(d.mac(secretKey))
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(&d); err != nil {
		return "", errors.New("usersig: encoding failed")
	}
	if err := zw.Close(); err != nil {
		return "", errors.New("usersig: compression failed")
	}
	return escaper.Replace(base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// Claims is what a verified UserSig asserts.
type Claims struct {
	Identifier string
	SDKAppID   uint64
	Issued     time.Time
	Expire     time.Duration
}

// Verify decodes sig, recomputes its HMAC with secretKey, and checks it names sdkAppID and has not expired at now.
// The HMAC is checked first so that unauthenticated claims never decide which
// error is reported. Like the provider, a sig is still valid at exactly issued+expire.
func Verify(sig string, sdkAppID uint64, secretKey string, now time.Time) (Claims, error) {
	if len(sig) == 0 || len(sig) > maxSigLen {
		return Claims{}, ErrMalformed
	}
	raw, err := base64.StdEncoding.DecodeString(unescaper.Replace(sig))
	if err != nil {
		return Claims{}, ErrMalformed
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return Claims{}, ErrMalformed
	}
	// Reading to EOF makes zlib verify its checksum; one extra byte detects overflow.
	plain, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
	if err != nil || len(plain) > maxInflated {
		return Claims{}, ErrMalformed
	}
	var d document
	if err := json.Unmarshal(plain, &d); err != nil {
		return Claims{}, ErrMalformed
	}
	mac, err := base64.StdEncoding.DecodeString(d.Sig)
	if err != nil || len(mac) != sha256.Size || d.Ver != "2.0" || d.Identifier == "" || d.UserBuf != nil ||
		d.Expire <= 0 || d.Expire > maxExpire || d.Time > math.MaxInt64-d.Expire {
		return Claims{}, ErrMalformed
	}
	if !hmac.Equal(mac, d.mac(secretKey)) {
		return Claims{}, ErrBadSignature
	}
	if d.SDKAppID != sdkAppID {
		return Claims{}, ErrWrongApp
	}
	if now.Unix() > d.Time+d.Expire {
		return Claims{}, ErrExpired
	}
	return Claims{Identifier: d.Identifier, SDKAppID: d.SDKAppID, Issued: time.Unix(d.Time, 0), Expire: time.Duration(d.Expire) * time.Second}, nil
}

// Cache hands out one UserSig per identifier and regenerates it after 90% of its validity.
// Refreshing early leaves a margin so a sig handed out is not rejected in flight.
type Cache struct {
	sdkAppID              uint64
	secretKey, identifier string
	validity              time.Duration
	now                   func() time.Time

	mu  sync.Mutex // serialises regeneration; reads go through cur
	cur atomic.Pointer[cacheEntry]
}

type cacheEntry struct {
	sig       string
	refreshAt time.Time
}

// NewCache returns a Cache for identifier. validity <= 0 means 24h; now is
// injectable so tests control time instead of sleeping.
func NewCache(sdkAppID uint64, secretKey, identifier string, validity time.Duration, now func() time.Time) *Cache {
	if validity <= 0 {
		validity = 24 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{sdkAppID: sdkAppID, secretKey: secretKey, identifier: identifier, validity: validity.Truncate(time.Second), now: now}
}

// Get returns the cached UserSig, signing a new one once 90% of the current
// one's validity has passed. The fast path is lock-free.
func (c *Cache) Get() (string, error) {
	if e := c.cur.Load(); e != nil && !c.now().After(e.refreshAt) {
		return e.sig, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Re-read the clock under the lock so entries only ever move forward.
	t := c.now()
	if e := c.cur.Load(); e != nil && !t.After(e.refreshAt) {
		return e.sig, nil
	}
	// The sig records whole seconds, so measure the refresh point from there.
	issued := time.Unix(t.Unix(), 0)
	sig, err := Sign(c.sdkAppID, c.secretKey, c.identifier, issued, c.validity)
	if err != nil {
		return "", err
	}
	c.cur.Store(&cacheEntry{sig: sig, refreshAt: issued.Add(c.validity * 9 / 10)})
	return sig, nil
}
