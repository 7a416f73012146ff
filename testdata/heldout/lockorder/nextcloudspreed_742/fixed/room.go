// Package fixed is the fixed version of lockorder/nextcloudspreed_742:
// LeaveRoom releases the session's lock before calling into the room.
package fixed

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
	r.mu.Lock()
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
		ids = append(ids, s.RoomSessionId())
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
