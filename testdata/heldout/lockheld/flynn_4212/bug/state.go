// Package bug is a held-out kernel (issue 14): flynn-host's job State,
// whose AddJob takes s.mtx and returns ErrVolumesInUse, when a volume the
// new job asks for is used by a running job, without unlocking it. Every
// later call on the State (GetJob, SetStatusRunning, the API handlers)
// then waits for s.mtx for ever.
//
// Upstream: flynn/flynn#4212 ("host: Ensure mutex is unlocked in error case when adding job")
// Round: 14
//
// Bug: the PR: "Not unlocking this mutex causes all future API calls to
// hang." The State (jobs map under an RWMutex, the listener map under its
// own lock, sendEvent, persist) follows host/state.go; the volume check
// with its early return follows the AddJob of the time, and which return
// lacked the Unlock is our reading of the PR (the fixed AddJob defers the
// Unlock). Persistence and event fan-out are reduced.
//
// Fix: AddJob unlocks with defer, so every return releases s.mtx.
package bug

import (
	"errors"
	"strings"
	"sync"
)

// Job statuses.
const (
	StatusStarting = "starting"
	StatusRunning  = "running"
	StatusDone     = "done"
)

// VolumeBinding is a volume mounted into a job.
type VolumeBinding struct{ VolumeID string }

// Job is what the scheduler asks the host to run.
type Job struct {
	ID      string
	Volumes []VolumeBinding
}

// ActiveJob is a job and its state on this host.
type ActiveJob struct {
	Job    *Job
	HostID string
	Status string
}

// ErrJobExists is returned when the job ID is already known.
var ErrJobExists = errors.New("job exists")

// ErrVolumesInUse lists volumes used by running jobs.
type ErrVolumesInUse struct{ VolumeIDs []string }

func (e ErrVolumesInUse) Error() string {
	return "volumes in use: " + strings.Join(e.VolumeIDs, ", ")
}

// Event is a job state change.
type Event struct {
	JobID string
	Event string
}

// State is the host's record of its jobs.
type State struct {
	id string

	jobs map[string]*ActiveJob
	mtx  sync.RWMutex

	listeners map[string]map[chan Event]struct{}
	listenMtx sync.RWMutex
}

// NewState returns an empty State.
func NewState(id string) *State {
	return &State{
		id:        id,
		jobs:      make(map[string]*ActiveJob),
		listeners: make(map[string]map[chan Event]struct{}),
	}
}

func (s *State) persist(jobID string) {}

func (s *State) sendEvent(job *ActiveJob, event string) {
	e := Event{JobID: job.Job.ID, Event: event}
	s.listenMtx.RLock()
	defer s.listenMtx.RUnlock()
	for ch := range s.listeners[job.Job.ID] {
		select {
		case ch <- e:
		default:
		}
	}
}

// AddJob records a new job.
func (s *State) AddJob(j *Job) error {
	s.mtx.Lock()
	if _, ok := s.jobs[j.ID]; ok {
		s.mtx.Unlock()
		return ErrJobExists
	}

	// ensure none of the volumes are in use by running jobs
	var volsInUse []string
	for _, vol := range j.Volumes {
		for _, job := range s.jobs {
			if job.Status != StatusStarting && job.Status != StatusRunning {
				continue
			}
			for _, v := range job.Job.Volumes {
				if v.VolumeID == vol.VolumeID {
					volsInUse = append(volsInUse, vol.VolumeID)
				}
			}
		}
	}
	if len(volsInUse) > 0 {
		return ErrVolumesInUse{volsInUse} // heldout:site
	}

	job := &ActiveJob{Job: j, HostID: s.id, Status: StatusStarting}
	s.jobs[j.ID] = job
	s.sendEvent(job, "create")
	s.persist(j.ID)
	s.mtx.Unlock()
	return nil
}

// GetJob returns a copy of a job.
func (s *State) GetJob(id string) *ActiveJob {
	s.mtx.RLock() // heldout:site
	defer s.mtx.RUnlock()
	job := s.jobs[id]
	if job == nil {
		return nil
	}
	jobCopy := *job
	return &jobCopy
}

// SetStatusRunning marks a starting job running.
func (s *State) SetStatusRunning(jobID string) {
	s.mtx.Lock() // heldout:site
	defer s.mtx.Unlock()
	job, ok := s.jobs[jobID]
	if !ok || job.Status != StatusStarting {
		return
	}
	job.Status = StatusRunning
	s.sendEvent(job, "start")
	s.persist(jobID)
}

// ScheduleTwo runs a job with a volume, then asks for another job with the
// same volume, then looks the first one up.
func ScheduleTwo() *ActiveJob {
	s := NewState("host0")
	vol := []VolumeBinding{{VolumeID: "pg-data"}}
	_ = s.AddJob(&Job{ID: "postgres-1", Volumes: vol})
	s.SetStatusRunning("postgres-1")
	_ = s.AddJob(&Job{ID: "postgres-2", Volumes: vol})
	return s.GetJob("postgres-1")
}
