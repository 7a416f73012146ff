// Package cluster runs registered functions (futures.Register) on worker
// processes on any machine, through a work queue on NATS JetStream: Pool,
// made by NewPool, is a futures.Executor like futures.ProcessPool, so a
// registered Func's Submit and Map, futures.Wait, futures.AsCompleted,
// Shutdown and aio.WrapFuture work with it unchanged. Python users reach
// for dask.distributed or Ray at this point.
//
// By default a Pool starts an in-process NATS server and local worker
// processes from the program's own binary, so one machine needs nothing
// installed; with URL it uses an existing NATS server, and workers on any
// machine join by running the program with ASYNCGO_CLUSTER_WORKER set.
// Either way the program calls futures.WorkerMain first thing in main,
// which serves the pool's tasks in a worker process: this package installs
// its worker there when it is linked in.
//
// Delivery is at least once (see Pool): functions run on a Pool should be
// idempotent. docs/cluster.md shows how to go from one machine to many,
// the message flow and the benchmarks.
//
// The package is apart from runtime/futures because it links nats.go and
// the NATS server, about 8 MB: programs that do not import it do not pay
// for them.
package cluster
