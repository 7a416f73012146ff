// Package remote is the plumbing between package futures and the executors
// built on it outside the package (runtime/futures/cluster): the reply of
// a registered function run elsewhere, the call an executor receives, and
// the hooks each side installs in its init. Nothing here is for users.
package remote

import (
	"context"
	"fmt"
)

// The environment variables that make a process a worker.
const (
	// WorkerEnv marks a worker process of a ProcessPool; its value names
	// the initializer.
	WorkerEnv = "ASYNCGO_FUTURES_WORKER"

	// ClusterEnv makes a process a worker of a cluster pool:
	//
	//	ASYNCGO_CLUSTER_WORKER=nats://[user:password@|token@]host:4222/POOL[?slots=N&creds=FILE&ca=FILE]
	ClusterEnv = "ASYNCGO_CLUSTER_WORKER"
)

// Reply holds the outcomes of a registered function run on n arguments in
// a worker: the results of the items that succeeded, as one gob stream in
// order, and the failures.
type Reply struct {
	Results []byte
	Fails   []Failure // by increasing Index
}

// Failure is an item whose call failed or panicked.
type Failure struct {
	Index int
	Err   string
	Panic bool
	Stack string
}

// Call is a task for a remote worker, as futures hands it to a Scheduler:
// a registered function's name and encoded arguments (one for Submit, a
// chunk for Map), and the ways to complete its future.
type Call struct {
	Func string // the registered name
	N    int    // how many arguments
	Args []byte // one gob stream of them

	Finish func(*Reply)    // completes the future from the worker's reply
	Fail   func(error)     // fails the future, started or not
	Cancel func() bool     // cancels the future if it is still pending
	OnDone func(fn func()) // arranges for fn to run once the future is done
}

// Scheduler is an executor implemented outside package futures: futures'
// side of it (see NewExecutor) numbers the futures, refuses closures and
// hands each registered function's call to Schedule.
type Scheduler interface {
	fmt.Stringer
	Schedule(c *Call) error
	Shutdown(wait, cancelFutures bool) error
}

// Hooks installed by package futures in its init, which runs before any
// package that imports futures uses them.
var (
	// NewExecutor returns a futures.Executor (typed any to keep this
	// package free of futures) that runs registered functions on s; name
	// and workers describe it to the deadlock detector.
	NewExecutor func(name string, workers int, s Scheduler) any

	// Run calls the registered function fn on n gob-encoded arguments, as
	// a worker does, turning errors and panics into failures.
	Run func(ctx context.Context, fn string, n int, args []byte) *Reply

	// NextPoolSeq numbers the pools of the process, from 0, for default
	// names.
	NextPoolSeq func() int64
)

// ServeCluster is installed by package cluster in its init: futures.WorkerMain
// calls it, with the value of ClusterEnv, when that is set, and exits with
// the status it returns.
var ServeCluster func(spec string) int
