package real

// A channel made on some paths only, handed to a function or goroutine on
// a path that skips the make: the callee's plain operations on its
// parameter block forever, as the caller's own would.

// Upstream: openziti/sdk-golang#84 (the SDK made the connect-result
// channel only when no cached router was found, but started a connecting
// goroutine per unconnected router either way; two of its returns did a
// plain send on the nil channel and leaked the goroutine). Fix: every
// result is sent in a select with a default. Reduced in our own words.
type routerResult struct {
	url string
	err error
}

type routerPicker struct {
	cached map[string]bool
}

func (p *routerPicker) pick(urls []string) string {
	best := ""
	for u := range p.cached {
		best = u
	}
	found := best != ""
	var results chan routerResult
	if !found {
		results = make(chan routerResult, len(urls))
	}
	for _, u := range urls {
		go p.connect(u, results)
	}
	if found {
		return best
	}
	return (<-results).url
}

func (p *routerPicker) connect(u string, results chan routerResult) {
	if p.cached[u] {
		results <- routerResult{url: u} // want `pick starts connect \(line \d+\) with a channel made only on some paths \(line \d+\): on a path that skips the make \(from line \d+\) it is nil, and here a send on a nil channel blocks forever`
		return
	}
	select {
	case results <- routerResult{url: u}:
	default:
	}
}

func (p *routerPicker) pickFixed(urls []string) string {
	best := ""
	for u := range p.cached {
		best = u
	}
	found := best != ""
	var results chan routerResult
	if !found {
		results = make(chan routerResult, len(urls))
	}
	for _, u := range urls {
		go p.connectFixed(u, results)
	}
	if found {
		return best
	}
	return (<-results).url
}

func (p *routerPicker) connectFixed(u string, results chan routerResult) {
	select {
	case results <- routerResult{url: u}:
	default:
	}
}

// Variant (ours): a goroutine literal takes the channel as a send-only
// parameter and a helper does the send, two calls below the go statement.
func squares(xs []int, keep bool) {
	var sink chan int
	if keep {
		sink = make(chan int, len(xs))
	}
	for _, x := range xs {
		go func(dst chan<- int, x int) {
			publishSquare(dst, x*x)
		}(sink, x)
	}
}

func publishSquare(dst chan<- int, v int) {
	dst <- v // want `squares starts squares\$1 \(line \d+\) with a channel made only on some paths`
}

// Variant (ours): a synchronous call to a waiting helper; the channel is
// made only when the job runs in the background.
func runJobMaybe(background bool, job func()) {
	var finished chan struct{}
	if background {
		finished = make(chan struct{})
		go runAndClose(job, finished)
	} else {
		job()
	}
	awaitFinished(finished)
}

func runAndClose(job func(), finished chan struct{}) { job(); close(finished) }

func awaitFinished(finished <-chan struct{}) {
	<-finished // want `runJobMaybe calls awaitFinished \(line \d+\) with a channel made only on some paths \(line \d+\): on a path that skips the make \(from line \d+\) it is nil, and here a receive from a nil channel blocks forever`
}

// Look-alikes (ours) that must stay silent: the callee tests the channel
// against nil; the callee is told by a flag whether to use it.
func runJobMaybeFixed(background bool, job func()) {
	var finished chan struct{}
	if background {
		finished = make(chan struct{})
		go runAndClose(job, finished)
	} else {
		job()
	}
	awaitIfAny(finished)
}

func awaitIfAny(finished <-chan struct{}) {
	if finished != nil {
		<-finished
	}
}

func notifyMaybe(want bool) {
	var c chan int
	if want {
		c = make(chan int, 1)
	}
	go notifyIf(want, c)
}

func notifyIf(want bool, c chan int) {
	if want {
		c <- 1
	}
}
