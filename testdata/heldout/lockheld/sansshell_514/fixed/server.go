// Package fixed is the fixed version of lockheld/sansshell_514: the
// NotFound branch of WaitForApproval unlocks the server's mutex.
package fixed

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
	s.mu.Lock()
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
	s.mu.Lock()
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
	s.mu.Lock()
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
		s.mu.Lock()
		act, ok := s.actions[id]
		if !ok {
			s.mu.Unlock()
			return ErrNotFound
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
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []*ListItem
	for id, act := range s.actions {
		items = append(items, &ListItem{ID: id, Action: act.action, Approver: act.approvers})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	return items
}
