package chatimport

// WithTestClock lets the external tests run a Client on a fake clock, so
// that pacing and retry waits pass without waiting.
var WithTestClock = withClock
