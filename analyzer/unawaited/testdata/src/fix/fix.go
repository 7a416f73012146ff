package fix

import (
	"github.com/asyncgo/asyncgo/runtime/aio"
)

type point struct{ x, y int }

//asyncgo:async
func Refresh(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return len(name), nil })
}

//asyncgo:async
func Main() *aio.Coroutine[point] {
	return aio.Async(func(t *aio.Task) (point, error) {
		Refresh("a") // want `coroutine Refresh\(...\) is never awaited`
		return point{}, nil
	})
}

func withError(t *aio.Task) error {
	Refresh("b") // want `coroutine Refresh\(...\) is never awaited`
	return nil
}

func noError(t *aio.Task) {
	Refresh("c") // want `coroutine Refresh\(...\) is never awaited`
}

func inCase(t *aio.Task, n int) ([]string, error) {
	switch n {
	case 1:
		Refresh("d") // want `coroutine Refresh\(...\) is never awaited`
	}
	return nil, nil
}

func noTask() {
	Refresh("e") // want `coroutine Refresh\(...\) is never awaited`
}

func shadowed(t *aio.Task) error {
	aio := 1
	_ = aio
	Refresh("f") // want `coroutine Refresh\(...\) is never awaited`
	return nil
}

func nested(t *aio.Task) error {
	func() {
		Refresh("g") // want `coroutine Refresh\(...\) is never awaited`
	}()
	return nil
}

func blank(t *aio.Task) error {
	_ = Refresh("h") // want `coroutine Refresh\(...\) is never awaited`
	return nil
}
