// Package bug is a held-out kernel (issue 14): the multi-party approval
// server's WaitForApproval polls for its request in a loop, locking the
// server's mutex each time round, and returns NotFound without unlocking
// it when the request has gone; every later call on the server (Store,
// Approve, List, another WaitForApproval) waits for that mutex forever.
//
// Upstream: Snowflake-Labs/sansshell#514 ("Fix deadlock on return-early on not_found during WaitForApproval")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR: "we failed to release mutex in one of the branches of the
// mpa flow", and the review: "unlock in mutex in a loop and no way to
// defer it". WaitForApproval locks s.mu at the top of each iteration,
// looks the action up, and on a miss returns the NotFound status with
// s.mu still held; the Unlock comes only after the lookup succeeds. A
// request is missing when it was never stored or when
// clearOutdatedApprovals has expired it. gRPC statuses and principals are
// reduced to errors and strings.
//
// Fix: the NotFound branch unlocks s.mu before returning.
package bug

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// ErrNotFound is the NotFound status.
var ErrNotFound = errors.New("MPA request not found")

// Action is a command waiting for approval.
type Action struct {
	User    string
	Method  string
	Message string
}

type storedAction struct {
	action       *Action
	approvers    []string
	approved     chan struct{}
	lastModified time.Time
}

// ListItem is one entry of List.
type ListItem struct {
	ID       string
	Action   *Action
	Approver []string
}

type server struct {
	mu      sync.Mutex
	actions map[string]*storedAction
	ttl     time.Duration
}

// NewServer returns an approval server.
func NewServer(ttl time.Duration) *server {
	return &server{actions: map[string]*storedAction{}, ttl: ttl}
}

func (s *server) clearOutdatedApprovals() {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	for id, act := range s.actions {
		if time.Since(act.lastModified) > s.ttl {
			delete(s.actions, id)
		}
	}
}

// Store records an action and returns its id.
func (s *server) Store(ctx context.Context, id string, a *Action) (string, error) {
	s.clearOutdatedApprovals()
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	if act, ok := s.actions[id]; ok {
		act.lastModified = time.Now()
		return id, nil
	}
	s.actions[id] = &storedAction{action: a, approved: make(chan struct{}), lastModified: time.Now()}
	return id, nil
}

// Approve records caller's approval of the action with id.
func (s *server) Approve(ctx context.Context, id, caller string) error {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	act, ok := s.actions[id]
	if !ok {
		return ErrNotFound
	}
	if act.action.User == caller {
		return errors.New("MPA requests cannot be approved by their requestor")
	}
	act.lastModified = time.Now()
	for _, a := range act.approvers {
		if a == caller {
			return nil
		}
	}
	act.approvers = append(act.approvers, caller)
	if len(act.approvers) == 1 {
		close(act.approved)
	}
	return nil
}

// WaitForApproval returns once the action with id has an approval.
func (s *server) WaitForApproval(ctx context.Context, id string) error {
	for {
		s.mu.Lock() // heldout:site
		act, ok := s.actions[id]
		if !ok {
			return ErrNotFound // heldout:site
		}
		s.mu.Unlock()
		select {
		case <-act.approved:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
			// Look again, in case the request has expired.
		}
	}
}

// List returns every stored action.
func (s *server) List(ctx context.Context) []*ListItem {
	s.clearOutdatedApprovals()
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	var items []*ListItem
	for id, act := range s.actions {
		items = append(items, &ListItem{ID: id, Action: act.action, Approver: act.approvers})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	return items
}
