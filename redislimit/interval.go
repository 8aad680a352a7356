package redislimit

import "time"

// paceInterval mirrors the root package's pacing margin until
// chatimport.Budget.Interval exposes it.
func paceInterval(n int, per time.Duration) time.Duration {
	margin := min(max(20*time.Millisecond, per/100), per/50)
	return (per + margin) / time.Duration(n)
}
