// Package chatimport moves chat data into CometChat and Tencent Cloud Chat
// without losing any of it.
//
// A Client imports users and group memberships through the providers'
// rate-limited import endpoints and lists group members back. Imports are cut
// into batches of the provider's documented size, paced under its documented
// rate limit, retried with backoff that honours Retry-After, and answered
// item by item: every input item ends in exactly one Status, nothing is sent
// twice in one request, and an item the provider already has is
// StatusExisted, so a resent batch whose first answer was lost counts nothing
// twice.
//
// Errors are typed: *APIError for the provider's answers, *ValidationError
// for items refused before any request, and sentinels such as ErrRateLimited
// for errors.Is. No error, log line or panic contains a credential.
package chatimport
