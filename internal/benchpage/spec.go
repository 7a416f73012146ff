package benchpage

// Units of the figures compared.
const (
	NsPerOp   = "ns/op"      // time per operation
	BytesTask = "bytes/task" // memory per suspended task
	BytesGen  = "bytes/gen"  // memory per suspended generator
	// PeakMiB is a process's peak resident memory (VmHWM) in MiB.
	PeakMiB = "peak-MiB"
)

// Source names where one cell's figure comes from: a Go benchmark (Pkg
// and Bench), a CPython figure (Py), or neither (Absent says why).
type Source struct {
	Label  string // the baseline's name in the table and chart
	Pkg    string // "bench/coro"
	Bench  string // "BenchmarkCoroNext"
	Py     string // the scripts' name for the figure
	Script string // the CPython script that reports Py
	Absent string // why there is no such benchmark
	Note   string // a caveat printed as a note beside the figure
}

// Row is one line of the table: one piece of work, measured every way.
type Row struct {
	Work   string // what is measured, short
	Unit   string // NsPerOp, BytesTask, BytesGen or PeakMiB
	About  string // a sentence on the work and where it is measured
	Direct Source
	// Lowered is the same work as a stackless state machine.
	Lowered   Source
	Baselines []Source
	CPython   Source
}

// The CPython scripts, relative to the module's root; each prints its
// figures as JSON with --json.
const (
	coroPy    = "bench/coro/generators.py"
	aioPy     = "bench/aio/asyncio_bench.py"
	futuresPy = "bench/futures/threadpool.py"
	// SleepersPy holds as many tasks asleep as ASYNCGO_SLEEPERS says.
	SleepersPy = "bench/rewriteaio/sleepers.py"
)

// Scripts are the CPython scripts the page's figures come from.
var Scripts = []string{coroPy, aioPy, futuresPy, SleepersPy}

// SleepersEnv is the variable that sets how many tasks bench/rewriteaio's
// Sleepers benchmarks and SleepersPy hold asleep at once; Sleepers is
// the count the page's peak RSS row is for.
const (
	SleepersEnv = "ASYNCGO_SLEEPERS"
	Sleepers    = 1_000_000
)

// Why a cell is empty, or what to know about it.
const (
	noLowering    = "executors run plain Go functions on threads or in worker processes; there is no coroutine to lower"
	noProcessPool = "Go's standard library has no process pool to compare with; `futures.ProcessPool` is the Go one (workers are the program's own binary, tasks and results gob-encoded over pipes)"
	handLowered   = "hand-written `aio.Machine` of the shape the rewriter emits (the 100,000 tasks of this row are not yet rewritten functions; the peak RSS row's are)"
	handMachine   = "the body written by hand as an `aio.Machine`, where the lowered column is the `//asyncgo:async` function `asyncgo rewrite` lowered"
	inlineAlloc   = "making the lowered `Noop()` coroutine alone (its machine and its `*aio.Coroutine`), unrun: the part of each await that is the callee's allocation"
	extrapolated  = "measured with a tenth of the tasks (a goroutine's stack each would take gigabytes; any count over 100,000 is cut so) and extrapolated: the RSS before the first task + rss-bytes/task × the count"
)

// Rows is the page's table.
var Rows = []Row{
	{
		Work: "generator `next`", Unit: NsPerOp,
		About:   "resume a suspended generator that yields a count: `Next()`, `next()` of `iter.Pull`, a receive from a producing goroutine, CPython's `next(g)`",
		Direct:  Source{Pkg: "bench/coro", Bench: "BenchmarkCoroNext"},
		Lowered: Source{Pkg: "bench/rewrite", Bench: "BenchmarkLoweredNext"},
		Baselines: []Source{
			{Label: "`iter.Pull`", Pkg: "bench/coro", Bench: "BenchmarkIterPull"},
			{Label: "goroutine + channel", Pkg: "bench/coro", Bench: "BenchmarkGoroutineChannelNext"},
		},
		CPython: Source{Py: "CPythonNext", Script: coroPy},
	},
	{
		Work: "generator `send`", Unit: NsPerOp,
		About:   "send 1 to a generator keeping a running total and take the total back; `iter.Pull` passes the value through a variable, the goroutine through a second channel",
		Direct:  Source{Pkg: "bench/coro", Bench: "BenchmarkCoroSend"},
		Lowered: Source{Pkg: "bench/rewrite", Bench: "BenchmarkLoweredSummerSend"},
		Baselines: []Source{
			{Label: "`iter.Pull`", Pkg: "bench/coro", Bench: "BenchmarkIterPullSend"},
			{Label: "goroutine + channel", Pkg: "bench/coro", Bench: "BenchmarkGoroutineChannel"},
		},
		CPython: Source{Py: "CPythonSend", Script: coroPy},
	},
	{
		Work: "generator create, start, close", Unit: NsPerOp,
		About:   "make a one-value generator, run it to its yield and close it",
		Direct:  Source{Pkg: "bench/coro", Bench: "BenchmarkCoroCreate"},
		Lowered: Source{Pkg: "bench/rewrite", Bench: "BenchmarkLoweredOnceCreate"},
		Baselines: []Source{
			{Label: "`iter.Pull`", Pkg: "bench/coro", Bench: "BenchmarkIterPullCreate"},
		},
		CPython: Source{Py: "CPythonCreate", Script: coroPy},
	},
	{
		Work: "memory per suspended generator", Unit: BytesGen,
		About:   "10,000 running-total generators suspended after a send: the heap and goroutine stacks they hold after a collection, measured in a new process of the test binary (Go reuses the descriptors of goroutines that ended, which would hide them); CPython's every traced allocation (tracemalloc); per generator",
		Direct:  Source{Pkg: "bench/rewrite", Bench: "BenchmarkDirectSuspended10k"},
		Lowered: Source{Pkg: "bench/rewrite", Bench: "BenchmarkLoweredSuspended10k"},
		Baselines: []Source{
			{Label: "`iter.Pull`", Pkg: "bench/rewrite", Bench: "BenchmarkIterPullSuspended10k"},
		},
		CPython: Source{Py: "CPythonSuspended", Script: coroPy},
	},
	{
		Work: "task create + await", Unit: NsPerOp,
		About:   "create a task of a coroutine that returns at once and await it, inside a running loop (asyncio: `await create_task(noop())`), in a loop of the async function `CreateAwait` (bench/rewriteaio/tasks.go), lowered by `asyncgo rewrite` or run in direct mode; Go: start a goroutine and receive its result",
		Direct:  Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkDirectCreateAwait"},
		Lowered: Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredCreateAwait"},
		Baselines: []Source{
			{Label: "goroutine + channel", Pkg: "bench/aio", Bench: "BenchmarkGoroutineSpawnWait"},
			{Label: "hand-written `aio.Machine`", Pkg: "bench/aio", Bench: "BenchmarkMachineTaskCreateAwait", Note: handMachine},
		},
		CPython: Source{Py: "TaskCreateAwait", Script: aioPy},
	},
	{
		Work: "loop switch, `Sleep(0)`", Unit: NsPerOp,
		About:   "one switch from a task to the loop and back (asyncio: `await sleep(0)`), in a loop of the async function `Sleep0`, lowered or direct; Go: `runtime.Gosched()`",
		Direct:  Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkDirectSleep0"},
		Lowered: Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredSleep0"},
		Baselines: []Source{
			{Label: "`runtime.Gosched`", Pkg: "bench/aio", Bench: "BenchmarkGosched"},
			{Label: "hand-written `aio.Machine`", Pkg: "bench/aio", Bench: "BenchmarkMachineSleep0", Note: handMachine},
		},
		CPython: Source{Py: "Sleep0", Script: aioPy},
	},
	{
		Work: "await a coroutine", Unit: NsPerOp,
		About:   "make a coroutine that returns at once and await it, run in the awaiting task with no task of its own (asyncio: `await noop()`), in a loop of the async function `AwaitInline`: lowered, the callee's machine is stepped inside the awaiting task's; direct, its body is called on the task's stack",
		Direct:  Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkDirectAwaitInline"},
		Lowered: Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredAwaitInline"},
		Baselines: []Source{
			{Label: "lowered coroutine made, not awaited", Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredNoop", Note: inlineAlloc},
		},
		CPython: Source{Py: "AwaitCoroutine", Script: aioPy},
	},
	{
		Work: "await a chain of coroutines", Unit: NsPerOp,
		About:   "await a coroutine that awaits another, four deep (`Pass(2)` → `Pass(1)` → `Pass(0)` → `Noop`; asyncio: `await pass_(2)`), in a loop of the async function `AwaitChain`: lowered, every link's machine is kept by the one awaiting it and reused; direct, each link is called on the task's stack",
		Direct:  Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkDirectAwaitChain"},
		Lowered: Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredAwaitChain"},
		CPython: Source{Py: "AwaitChain", Script: aioPy},
	},
	{
		Work: "thread pool submit + result", Unit: NsPerOp,
		About:   "submit a trivial function to a thread pool and read its result, per task (all submitted, then all read); Go: a goroutine per task with a `sync.WaitGroup` or an `errgroup.Group`",
		Direct:  Source{Pkg: "bench/futures", Bench: "BenchmarkThreadPoolSubmitResult"},
		Lowered: Source{Absent: noLowering},
		Baselines: []Source{
			{Label: "goroutines + `WaitGroup`", Pkg: "bench/futures", Bench: "BenchmarkGoroutineWaitGroup"},
			{Label: "`errgroup`", Pkg: "bench/futures", Bench: "BenchmarkErrgroup"},
		},
		CPython: Source{Py: "ThreadPoolSubmitResult", Script: futuresPy},
	},
	{
		Work: "process pool round trip", Unit: NsPerOp,
		About:     "submit one task to a one-worker process pool and wait for its result, one at a time",
		Direct:    Source{Pkg: "bench/futures", Bench: "BenchmarkProcessPoolRoundTrip"},
		Lowered:   Source{Absent: noLowering},
		Baselines: []Source{{Absent: noProcessPool}},
		CPython:   Source{Py: "ProcessPoolRoundTrip", Script: futuresPy},
	},
	{
		Work: "process pool map, chunksize 100", Unit: NsPerOp,
		About:     "map a trivial function over items on a two-worker process pool, 100 items per round trip; per item",
		Direct:    Source{Pkg: "bench/futures", Bench: "BenchmarkProcessPoolMapChunks"},
		Lowered:   Source{Absent: noLowering},
		Baselines: []Source{{Absent: noProcessPool}},
		CPython:   Source{Py: "ProcessPoolMapChunks", Script: futuresPy},
	},
	{
		Work: "memory per suspended task", Unit: BytesTask,
		About:   "100,000 tasks suspended in `Sleep(time.Hour)` at once: Go's heap and goroutine stacks after a collection, measured in a new process of the test binary; CPython's every traced allocation (tracemalloc); per task; Go: goroutines blocked on a channel",
		Direct:  Source{Pkg: "bench/aio", Bench: "BenchmarkSleepingTasks100k"},
		Lowered: Source{Pkg: "bench/aio", Bench: "BenchmarkMachineSleepingTasks100k", Note: handLowered},
		Baselines: []Source{
			{Label: "goroutine blocked on a channel", Pkg: "bench/aio", Bench: "BenchmarkBlockedGoroutines100k"},
		},
		CPython: Source{Py: "SleepingTasks100k", Script: aioPy},
	},
	{
		Work: "peak RSS, 1,000,000 tasks asleep", Unit: PeakMiB,
		About:   "create 1,000,000 tasks of the async function `Sleeper` (`Sleep(time.Hour)`) at once and let each run to its sleep: the peak resident memory (VmHWM) of a new process doing only that, test binary or interpreter included; Go: goroutines each waiting on a timer",
		Direct:  Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkDirectSleepers", Note: extrapolated},
		Lowered: Source{Pkg: "bench/rewriteaio", Bench: "BenchmarkLoweredSleepers"},
		Baselines: []Source{
			{Label: "goroutine waiting on a timer", Pkg: "bench/rewriteaio", Bench: "BenchmarkGoroutineSleepers", Note: extrapolated},
		},
		CPython: Source{Py: "Sleepers", Script: SleepersPy},
	},
}
