package chatimport

// MemberPages lets the external benchmarks replay list pages in memory with
// the same transport as the internal ones.
type MemberPages = memberPages
