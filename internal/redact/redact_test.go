package redact

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

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
