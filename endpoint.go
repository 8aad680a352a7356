package chatimport

import (
	"context"
	"time"
)

// importEndpoint is one import endpoint, declared in its provider's file:
// what the provider allows and how its items and answers look. The engine
// (runImport, sendBatch, Client.do) does batching, pacing, retries and the
// per-item accounting for every endpoint alike, and knows nothing else of
// providers.
type importEndpoint[T any] struct {
	what     string // what an item is ("user", "group", "member"), for messages
	idField  string // the field named when two ids collide
	maxBatch int    // the most items one request may carry
	maxWire  int    // the most bytes one item's encoding may take; 0: no bound of its own
	budget   string // the name of the pacing budget it draws on
	// id is the item's id as ItemResult reports it; a composed id is built
	// in the arena.
	id func(*T, *arena) string
	// key appends the item's identity on the server to dst, given its id:
	// two items with equal keys are one entity. It must be unambiguous: a
	// key made of parts carries their lengths.
	key func(dst []byte, item *T, id string) []byte
	// fold says the provider folds ASCII letter case in keys: two keys
	// equal but for case are one entity there.
	fold bool
	// part keeps items of different parts out of one request (Tencent
	// imports one group's members per request); nil when any items may
	// share one.
	part func(*T) string
	// check applies the provider's rules; the engine fills in Index and ID.
	check func(item *T, now time.Time) *ValidationError
	// encode appends the item's wire JSON to dst, given its id. An item is
	// encoded once, however often it is sent.
	encode func(dst []byte, item *T, id string) ([]byte, error)
	// send sends one batch. It returns one outcome per job, or the error
	// that befell the whole request.
	send func(ctx context.Context, c *Client, jobs []job) ([]outcome, error)
}

// job is one admitted item, encoded and ready to go.
type job struct {
	index int
	id    string
	part  string
	wire  []byte
}

func jobID(j job) string   { return j.id }
func jobPart(j job) string { return j.part }

// outcome is the answer for one item of a request.
type outcome struct {
	status Status
	err    error
	again  bool // a temporary per-item failure: send the item again
}

// endpoints are the calls a provider serves; a nil one is ErrUnsupported.
type endpoints struct {
	users   *importEndpoint[User]
	groups  *importEndpoint[Group]
	members *importEndpoint[Member]

	listMembers func(c *Client, guid string, opts *ListMembersOptions) *Pager[Member]
	listUsers   func(c *Client, opts *ListUsersOptions) *Pager[User]
	listGroups  func(c *Client, opts *ListGroupsOptions) *Pager[Group]
}
