package bug

import "sync"

// ClientSession is one client's connection to the signaling server.
type ClientSession struct {
	publicId string

	mu            sync.Mutex
	room          *Room
	roomSessionId string
}

// PublicId is immutable.
func (s *ClientSession) PublicId() string { return s.publicId }

// RoomSessionId returns the session's id inside its current room.
func (s *ClientSession) RoomSessionId() string {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	return s.roomSessionId
}

// LeaveRoom removes the session from its room.
func (s *ClientSession) LeaveRoom(notify bool) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	room := s.room
	if room == nil {
		return nil
	}
	s.roomSessionId = ""
	s.room = nil
	room.RemoveSession(s) // heldout:site
	return room
}
