// Package bug is a held-out kernel (issue 14): the agent's task engine
// state, whose lookup by container id holds the read lock and calls the
// exported lookup by task ARN, which read-locks again.
//
// Upstream: aws/amazon-ecs-agent#149 ("Fix deadlock in DockerTaskEngineState")
// Round: 4
//
// Bug: TaskByID read-locks the state, maps the Docker id to a task ARN
// and returns TaskByArn(arn), which read-locks the state again. When
// AddTask asks for the write lock between the two RLocks, the writer waits
// for the first reader and the nested RLock waits behind the writer. The
// PR names the pattern; which lookups nest is our reduction.
//
// Fix: the nested lookups go through unlocked helpers (taskByArn) that
// assume the caller holds the lock.
package bug

import "sync"

// Task is an ECS task.
type Task struct {
	Arn           string
	Family        string
	DesiredStatus string
}

// DockerContainer is a container of a task, with its Docker id.
type DockerContainer struct {
	DockerID   string
	DockerName string
	Name       string
}

// DockerTaskEngineState keeps the tasks and their containers.
type DockerTaskEngineState struct {
	lock sync.RWMutex

	tasks         map[string]*Task                       // arn -> task
	taskToID      map[string]map[string]*DockerContainer // arn -> container name -> container
	idToTask      map[string]string                      // docker id -> arn
	idToContainer map[string]*DockerContainer            // docker id -> container
}

// NewDockerTaskEngineState returns an empty state.
func NewDockerTaskEngineState() *DockerTaskEngineState {
	return &DockerTaskEngineState{
		tasks:         make(map[string]*Task),
		taskToID:      make(map[string]map[string]*DockerContainer),
		idToTask:      make(map[string]string),
		idToContainer: make(map[string]*DockerContainer),
	}
}

// TaskByArn returns the task with the given ARN.
func (state *DockerTaskEngineState) TaskByArn(arn string) (*Task, bool) {
	state.lock.RLock() // heldout:site
	defer state.lock.RUnlock()
	t, ok := state.tasks[arn]
	return t, ok
}

// TaskByID returns the task that owns the container with the given id.
func (state *DockerTaskEngineState) TaskByID(cid string) (*Task, bool) {
	state.lock.RLock()
	defer state.lock.RUnlock()
	arn, found := state.idToTask[cid]
	if !found {
		return nil, false
	}
	return state.TaskByArn(arn) // heldout:site
}

// AddTask adds a task to the state.
func (state *DockerTaskEngineState) AddTask(task *Task) {
	state.lock.Lock() // heldout:site
	defer state.lock.Unlock()
	state.tasks[task.Arn] = task
}

// AddContainer records a container of a task.
func (state *DockerTaskEngineState) AddContainer(container *DockerContainer, task *Task) {
	state.lock.Lock()
	defer state.lock.Unlock()
	if _, ok := state.tasks[task.Arn]; !ok {
		state.tasks[task.Arn] = task
	}
	if container.DockerID != "" {
		state.idToTask[container.DockerID] = task.Arn
		state.idToContainer[container.DockerID] = container
	}
	m, ok := state.taskToID[task.Arn]
	if !ok {
		m = make(map[string]*DockerContainer)
		state.taskToID[task.Arn] = m
	}
	m[container.Name] = container
}
