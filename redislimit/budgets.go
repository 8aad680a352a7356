package redislimit

import (
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/chatimport/chatimport"
)

// Budgets returns, for chatimport.WithLimiterFunc, a function that gives
// each pacing budget of a Client a Limiter of its own in Redis, under the
// key prefix + app + ":" + budget name (for example
// "chatimport:1400000000:tencent.import_group_member"), at the budget's
// rate. opts apply to every one; a Limiter logs through the Client's
// logger unless opts name another.
//
// Every Client built with the same rdb server and prefix shares each
// budget of its app with the others: give each replica of a fleet
//
//	chatimport.WithLimiterFunc(redislimit.Budgets(rdb, "chatimport:"))
//
// and a CometChat app's import budget (60 requests a minute, shared by its
// import endpoints) is spent once by the whole fleet, as is each of a
// Tencent app's per-endpoint budgets. Clients of different apps never
// share a budget. All replicas must pace at the same rate: a WithRateLimit
// given to some replicas only makes them disagree about the budget.
func Budgets(rdb redis.UniversalClient, prefix string, opts ...Option) func(chatimport.Budget) (chatimport.Limiter, error) {
	return func(b chatimport.Budget) (chatimport.Limiter, error) {
		if b.App == "" || b.Name == "" {
			return nil, errors.New("redislimit: Budgets: the budget has no app or no name to key it by")
		}
		o := opts
		if b.Logger != nil {
			o = append([]Option{WithLogger(b.Logger)}, opts...)
		}
		l, err := New(rdb, prefix+b.App+":"+b.Name, b.N, b.Per, o...)
		if err != nil {
			return nil, err // the Client names the budget
		}
		return l, nil
	}
}
