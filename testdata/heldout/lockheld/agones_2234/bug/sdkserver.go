// Package bug is a held-out kernel (issue 14): a game server's SDK
// sidecar, whose work-queue worker pushes the state requested through
// the SDK to the GameServer resource. updateState read-locks the update
// mutex to read the requested state and, when none has been recorded,
// returns an error without releasing it; the next SDK call that records
// something (Ready, Allocate, Reserve, SetLabel, Shutdown) waits for the
// write lock for ever.
//
// Upstream: agones-dev/agones#2234 ("Unlock mutex before returning on error in SDKServer.updateState")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "function is not unlocking gsUpdateMutex before returning
// function due to an error. This PR add a simple line that unlocks
// mutex." updateState began with s.gsUpdateMutex.RLock() and
// `if len(s.gsState) == 0 { return errors.Errorf(... "to empty state") }`;
// the RUnlock came after the check. The Kubernetes client, lister, event
// recorder and rate-limited work queue are reduced to an interface and a
// small queue; player tracking and annotations are left out.
//
// Fix: RUnlock before the early return.
package bug

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// GameServerState is the state of a game server.
type GameServerState string

// States the SDK can request.
const (
	GameServerStateRequestReady GameServerState = "RequestReady"
	GameServerStateAllocated    GameServerState = "Allocated"
	GameServerStateReserved     GameServerState = "Reserved"
	GameServerStateShutdown     GameServerState = "Shutdown"
	GameServerStateUnhealthy    GameServerState = "Unhealthy"
)

// GameServer is the resource the sidecar updates.
type GameServer struct {
	Name          string
	State         GameServerState
	ReservedUntil *time.Time
	Labels        map[string]string
	Deleting      bool
}

// GameServers reads and writes the GameServer resource.
type GameServers interface {
	Get(name string) (*GameServer, error)
	Update(ctx context.Context, gs *GameServer) (*GameServer, error)
}

// Operation is a work-queue key.
type Operation string

const (
	updateState Operation = "updateState"
	updateLabel Operation = "updateLabel"
)

type workerQueue struct {
	keys    chan Operation
	handler func(ctx context.Context, key Operation) error
	backoff time.Duration
}

// Enqueue adds key unless it is already queued.
func (wq *workerQueue) Enqueue(key Operation) {
	select {
	case wq.keys <- key:
	default:
	}
}

// Run processes keys until ctx is done; failed keys are retried later.
func (wq *workerQueue) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case key := <-wq.keys:
			if err := wq.handler(ctx, key); err != nil {
				time.AfterFunc(wq.backoff, func() { wq.Enqueue(key) })
			}
		}
	}
}

// SDKServer serves the game server's SDK calls.
type SDKServer struct {
	gameServerName string
	gameServers    GameServers
	workerqueue    *workerQueue

	gsUpdateMutex     sync.RWMutex
	gsState           GameServerState
	gsLabels          map[string]string
	gsReserveDuration *time.Duration
	reserveTimer      *time.Timer
}

// NewSDKServer returns a server; Run starts its worker.
func NewSDKServer(name string, gameServers GameServers) *SDKServer {
	s := &SDKServer{gameServerName: name, gameServers: gameServers, gsLabels: map[string]string{}}
	s.workerqueue = &workerQueue{keys: make(chan Operation, 2), handler: s.syncGameServer, backoff: time.Second}
	return s
}

// Run processes the work queue until ctx is done.
func (s *SDKServer) Run(ctx context.Context) {
	s.workerqueue.Run(ctx)
}

func (s *SDKServer) syncGameServer(ctx context.Context, key Operation) error {
	switch key {
	case updateState:
		return s.updateState(ctx)
	case updateLabel:
		return s.updateLabels(ctx)
	}
	return fmt.Errorf("could not sync game server key: %s", key)
}

// updateState sets the GameServer's state to the one recorded in gsState.
func (s *SDKServer) updateState(ctx context.Context) error {
	s.gsUpdateMutex.RLock() // heldout:site
	if len(s.gsState) == 0 {
		return fmt.Errorf("could not update GameServer %s to empty state", s.gameServerName) // heldout:site
	}
	s.gsUpdateMutex.RUnlock()

	gs, err := s.gameServers.Get(s.gameServerName)
	if err != nil {
		return err
	}
	if gs.Deleting || gs.State == GameServerStateUnhealthy {
		return nil
	}

	s.gsUpdateMutex.RLock()
	gsCopy := *gs
	gsCopy.State = s.gsState
	if gsCopy.State == GameServerStateReserved && s.gsReserveDuration != nil {
		until := time.Now().Add(*s.gsReserveDuration)
		gsCopy.ReservedUntil = &until
	} else {
		gsCopy.ReservedUntil = nil
	}
	s.gsUpdateMutex.RUnlock()

	updated, err := s.gameServers.Update(ctx, &gsCopy)
	if err != nil {
		return fmt.Errorf("could not update GameServer %s to state %s: %w", s.gameServerName, gsCopy.State, err)
	}

	if updated.State == GameServerStateReserved {
		s.gsUpdateMutex.Lock()
		if s.gsReserveDuration != nil {
			s.resetReserveAfter(*s.gsReserveDuration)
		}
		s.gsUpdateMutex.Unlock()
	}
	return nil
}

func (s *SDKServer) updateLabels(ctx context.Context) error {
	gs, err := s.gameServers.Get(s.gameServerName)
	if err != nil {
		return err
	}
	gsCopy := *gs
	gsCopy.Labels = map[string]string{}
	for k, v := range gs.Labels {
		gsCopy.Labels[k] = v
	}
	s.gsUpdateMutex.RLock()
	for k, v := range s.gsLabels {
		gsCopy.Labels["agones.dev/sdk-"+k] = v
	}
	s.gsUpdateMutex.RUnlock()
	_, err = s.gameServers.Update(ctx, &gsCopy)
	return err
}

func (s *SDKServer) enqueueState(state GameServerState) {
	s.gsUpdateMutex.Lock() // heldout:site
	s.gsState = state
	s.gsUpdateMutex.Unlock()
	s.workerqueue.Enqueue(updateState)
}

// Ready asks for the Ready state.
func (s *SDKServer) Ready(context.Context) error {
	s.stopReserveTimer()
	s.enqueueState(GameServerStateRequestReady)
	return nil
}

// Allocate asks for the Allocated state.
func (s *SDKServer) Allocate(context.Context) error {
	s.stopReserveTimer()
	s.enqueueState(GameServerStateAllocated)
	return nil
}

// Shutdown asks for the Shutdown state.
func (s *SDKServer) Shutdown(context.Context) error {
	s.stopReserveTimer()
	s.enqueueState(GameServerStateShutdown)
	return nil
}

// Reserve asks for the Reserved state for d (0 is for ever).
func (s *SDKServer) Reserve(_ context.Context, d time.Duration) error {
	s.stopReserveTimer()
	if d > 0 {
		s.gsUpdateMutex.Lock()
		s.gsReserveDuration = &d
		s.gsUpdateMutex.Unlock()
	}
	s.enqueueState(GameServerStateReserved)
	return nil
}

// SetLabel records a label to set on the GameServer.
func (s *SDKServer) SetLabel(_ context.Context, key, value string) error {
	s.gsUpdateMutex.Lock() // heldout:site
	s.gsLabels[key] = value
	s.gsUpdateMutex.Unlock()
	s.workerqueue.Enqueue(updateLabel)
	return nil
}

// resetReserveAfter moves the server back to Ready after duration; call
// it with gsUpdateMutex held.
func (s *SDKServer) resetReserveAfter(duration time.Duration) {
	if s.reserveTimer != nil {
		s.reserveTimer.Stop()
	}
	s.reserveTimer = time.AfterFunc(duration, func() {
		_ = s.Ready(context.Background())
	})
}

func (s *SDKServer) stopReserveTimer() {
	s.gsUpdateMutex.Lock() // heldout:site
	defer s.gsUpdateMutex.Unlock()
	if s.reserveTimer != nil {
		s.reserveTimer.Stop()
	}
	s.gsReserveDuration = nil
}
