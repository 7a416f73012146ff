package a

import (
	"b"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

//asyncgo:async
func Slow() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return 1, nil })
}

type server struct{ cache *aio.Coroutine[int] }

//asyncgo:async
func (s *server) Handle(n int) *aio.Coroutine[int] {
	c := aio.Async(func(t *aio.Task) (int, error) { return n, nil })
	return c
}

// cached returns what it stored: not a creation.
func (s *server) cached() *aio.Coroutine[int] { // want cached:"reuses"
	return s.cache
}

func dropped(t *aio.Task, s *server, l *aio.Loop) {
	Slow()                                                      // want `coroutine Slow\(\) is never awaited: it is created and dropped, so it never runs`
	_ = Slow()                                                  // want `coroutine Slow\(\) is never awaited`
	(Slow())                                                    // want `coroutine Slow\(\) is never awaited`
	s.Handle(1)                                                 // want `coroutine s.Handle\(...\) is never awaited`
	b.Fetch("http://x/")                                        // want `coroutine b.Fetch\(...\) is never awaited`
	aio.Async(func(t *aio.Task) (int, error) { return 0, nil }) // want `coroutine aio.Async\(...\) is never awaited`
	go Slow()                                                   // want `go Slow\(\) only creates a coroutine, which is dropped and never runs`
	defer b.Fetch("y")                                          // want `defer b.Fetch\(...\) only creates a coroutine`
	var _ = Slow()                                              // want `coroutine Slow\(\) is never awaited`
	factory := Slow
	factory() // want `coroutine factory\(\) is never awaited`

	aio.CreateTask(t, Slow())     // want `the task handle returned by aio.CreateTask\(...\) is dropped: keep it`
	_ = aio.CreateTask(t, Slow()) // want `the task handle returned by aio.CreateTask\(...\) is dropped`
	l.CreateTask(Slow())          // want `the task handle returned by l.CreateTask\(...\) is dropped`
	aio.NewTask(l, Slow())        // want `the task handle returned by aio.NewTask\(...\) is dropped`
	b.Spawn(t)                    // want `the task handle returned by b.Spawn\(...\) is dropped`

	Counter(3)                                             // want `generator Counter\(...\) is created and dropped: its body never runs`
	b.Counter(3)                                           // want `generator b.Counter\(...\) is created and dropped`
	coro.New(func(co *coro.Co[int, int]) int { return 0 }) // want `generator coro.New\(...\) is created and dropped`
	go Counter(1)                                          // want `go Counter\(...\) only creates a generator`
}

//asyncgo:generator
func Counter(n int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int { return n })
}

func kept(t *aio.Task, s *server, g *aio.TaskGroup, r *b.Registry) (*aio.Coroutine[int], error) {
	// Awaited, scheduled, passed on, stored, returned.
	if _, err := aio.Await(t, Slow()); err != nil {
		return nil, err
	}
	h := aio.CreateTask(t, Slow())
	defer h.Cancel()
	aio.CreateTask(t, Slow()).Cancel()
	aio.Gather(t, Slow(), s.Handle(2))
	s.cache = Slow()
	cs := []*aio.Coroutine[int]{Slow()}
	_ = cs
	use(Slow())
	aio.Run(Slow())

	// A TaskGroup keeps its tasks.
	g.CreateTask(Slow())
	aio.CreateTask(t, Slow(), aio.InGroup(g))

	// Functions that return what exists rather than create it.
	s.cached()
	r.Coroutine()
	r.Handle(t)
	b.Shared()

	// A generic function whose result is a coroutine here.
	first([]*aio.Coroutine[int]{s.cache})

	// Generators that are used.
	Counter(2).Next()
	g2 := Counter(2)
	g2.Next()
	useGen(Counter(1))

	// The handle's own methods.
	h.Cancel()
	return Slow(), nil
}

func use(c *aio.Coroutine[int]) {}

func useGen(g *coro.Generator[int, int, int]) {}

func first[T any](xs []T) T { return xs[0] }

func generatorBody() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		Slow() // want `coroutine Slow\(\) is never awaited`
		co.Yield(1)
		return 0
	})
}
