package chatimporttest

import (
	"strings"

	"golang.org/x/time/rate"

	"github.com/chatimport/chatimport"
)

// CometChat returns a client for the fake's CometChat side, ready to use
// as httptest's Server.Client is, with the fake's credentials. It paces
// each of its budgets at the limit the fake enforces on that budget's
// endpoints, and not at all where the fake enforces none, so that a test
// waits only where it asked for a limit. opts come last, so they override
// any of that. An invalid option panics, naming it: it is the test's own
// mistake, as a server that cannot listen is for httptest.NewServer.
func (s *Server) CometChat(opts ...chatimport.Option) *chatimport.Client {
	base := []chatimport.Option{
		chatimport.WithBaseURL(s.URL + "/v3"),
		s.pace(func(budget string) limitSpec {
			if budget == "cometchat.import" {
				return s.cfg.cometLimit
			}
			return limitSpec{} // the fake does not limit listing
		}),
	}
	return must(chatimport.NewCometChat(AppID, "us", s.cfg.apiKey, append(base, opts...)...))
}

// Tencent returns a client for the fake's Tencent side, signing with the
// fake's SDKAppID, secret key and admin. Like CometChat, it paces each
// budget (one per Tencent command) at the fake's limit for that command,
// and not at all without one. opts come last, so they override any of that;
// an invalid option panics, as for CometChat.
func (s *Server) Tencent(opts ...chatimport.Option) *chatimport.Client {
	base := []chatimport.Option{
		chatimport.WithBaseURL(s.URL),
		chatimport.WithAdmin(s.cfg.admin),
		s.pace(func(budget string) limitSpec {
			command := strings.TrimPrefix(budget, "tencent.")
			if command == "import_group_member" {
				return s.cfg.tencentLimit
			}
			return s.tc.limit(command)
		}),
	}
	return must(chatimport.NewTencent(s.cfg.sdkAppID, s.cfg.secretKey, append(base, opts...)...))
}

func must(c *chatimport.Client, err error) *chatimport.Client {
	if err != nil {
		panic("chatimporttest: " + err.Error())
	}
	return c
}

// pace paces each budget of a client at limitOf(its name), evenly spaced
// the margin under it that the client's own pacer keeps.
func (s *Server) pace(limitOf func(budget string) limitSpec) chatimport.Option {
	return chatimport.WithLimiterFunc(func(b chatimport.Budget) (chatimport.Limiter, error) {
		spec := limitOf(b.Name)
		if spec.n <= 0 {
			return nil, nil
		}
		b.N, b.Per = spec.n, spec.per
		return rate.NewLimiter(rate.Every(b.Interval()), 1), nil
	})
}
