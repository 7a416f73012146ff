// Package bug is a held-out kernel (issue 14): a room that locks its
// sessions while holding its own lock, and a session that calls into the
// room while holding its lock.
//
// Upstream: strukturag/nextcloud-spreed-signaling#742 ("Fix lock order inversion when leaving room / publishing room sessions.")
// Round: 3
//
// Bug: the room's run loop periodically publishes the active sessions:
// publishActiveSessions holds r.mu (read) and asks every session for its
// RoomSessionId, which takes the session's mu. A session leaving the room
// holds its own mu and calls Room.RemoveSession, which takes r.mu for
// writing. The two goroutine stacks in the PR show exactly these frames;
// the bodies around them (the session map, the leave path's bookkeeping)
// are our reduction.
//
// Fix: LeaveRoom takes what it needs from the session under s.mu, releases
// it, and only then calls into the room.
package bug

import "sync"

// Room is a signaling room with its sessions.
type Room struct {
	id string

	mu       sync.RWMutex
	sessions map[string]*ClientSession

	publish func(roomSessionIds []string)
}

// RemoveSession removes a session from the room; it returns whether the
// room is now empty.
func (r *Room) RemoveSession(session *ClientSession) bool {
	r.mu.Lock() // heldout:site
	defer r.mu.Unlock()
	delete(r.sessions, session.PublicId())
	return len(r.sessions) == 0
}

// publishActiveSessions sends the list of active sessions to the backend.
// It runs in the room's run loop.
func (r *Room) publishActiveSessions() {
	r.mu.RLock()
	defer r.mu.RUnlock()
	ids := make([]string, 0, len(r.sessions))
	for _, s := range r.sessions {
		ids = append(ids, s.RoomSessionId()) // heldout:site
	}
	if r.publish != nil {
		r.publish(ids)
	}
}

func (r *Room) run(ticks <-chan struct{}) {
	for range ticks {
		r.publishActiveSessions()
	}
}
