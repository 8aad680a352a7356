package chatimporttest

import (
	"github.com/chatimport/chatimport"
)

// CometChat returns a client for the fake's CometChat side, with the fake's
// credentials. It paces imports at the limit the fake enforces, and not at
// all while the fake enforces none, so that a test waits only when it asked
// for a limit. opts come last, so they override any of that.
func (s *Server) CometChat(opts ...chatimport.Option) (*chatimport.Client, error) {
	base := []chatimport.Option{
		chatimport.WithBaseURL(s.URL + "/v3"),
		chatimport.WithRateLimit(s.cfg.cometLimit.n, s.cfg.cometLimit.per),
	}
	return chatimport.NewCometChat(AppID, "us", s.cfg.apiKey, append(base, opts...)...)
}

// Tencent returns a client for the fake's Tencent side, signing with the
// fake's SDKAppID, secret key and admin. Like CometChat, it paces at the
// fake's limit and not at all without one. opts come last, so they override
// any of that.
func (s *Server) Tencent(opts ...chatimport.Option) (*chatimport.Client, error) {
	base := []chatimport.Option{
		chatimport.WithBaseURL(s.URL),
		chatimport.WithAdmin(s.cfg.admin),
		chatimport.WithRateLimit(s.cfg.tencentLimit.n, s.cfg.tencentLimit.per),
	}
	return chatimport.NewTencent(s.cfg.sdkAppID, s.cfg.secretKey, append(base, opts...)...)
}
