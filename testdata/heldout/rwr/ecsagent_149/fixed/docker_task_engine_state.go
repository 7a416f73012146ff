// Package fixed is the fixed version of rwr/ecsagent_149: TaskByID uses
// the unlocked lookup.
package fixed

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
	state.lock.RLock()
	defer state.lock.RUnlock()
	return state.taskByArn(arn)
}

// taskByArn is TaskByArn for callers that hold state.lock.
func (state *DockerTaskEngineState) taskByArn(arn string) (*Task, bool) {
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
	return state.taskByArn(arn)
}

// AddTask adds a task to the state.
func (state *DockerTaskEngineState) AddTask(task *Task) {
	state.lock.Lock()
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
