package redislimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/chatimport/chatimport/redislimit"
)

// BenchmarkWait is the cost of one Wait that Redis allows at once: a round
// trip to Redis and its script, at a rate high enough never to hold a turn.
func BenchmarkWait(b *testing.B) {
	l, err := redislimit.New(newRedis(b, redisAddr(b)), testKey(b), 1_000_000, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
