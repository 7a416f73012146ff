package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TestBarrierMatchesAsyncio runs testdata/barrier.py in Go: asyncio's
// documented example, then a reset, a cancelled waiter and an abort.
func TestBarrierMatchesAsyncio(t *testing.T) {
	var out bytes.Buffer
	printf := func(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }
	check(t, func(t *aio.Task) error {
		b := aio.NewBarrier(3)
		show := func() { printf("%v", b) }
		waiter := func(name string) *aio.Handle[unit] {
			return aio.CreateTask(t, aio.Async(func(t *aio.Task) (unit, error) {
				i, err := b.Wait(t)
				switch {
				case err == nil:
					printf("%s passed %d", name, i)
				case errors.Is(err, aio.ErrBrokenBarrier):
					printf("%s broken", name)
					err = nil
				case errors.Is(err, aio.ErrCancelled):
					printf("%s cancelled", name)
				}
				return unit{}, err
			}))
		}
		gather := func(ts ...*aio.Handle[unit]) {
			aws := make([]aio.Awaitable[unit], len(ts))
			for i, h := range ts {
				aws[i] = h
			}
			aio.GatherErrors(t, aws...)
		}
		mainWait := func() {
			i, err := b.Wait(t)
			if err != nil {
				printf("main %v", err)
				return
			}
			printf("main passed %d", i)
		}

		ts := []*aio.Handle[unit]{waiter("a"), waiter("b")}
		aio.Sleep(t, 0)
		show()
		mainWait()
		show()
		aio.Sleep(t, 0)
		show()
		gather(ts...)

		ts = []*aio.Handle[unit]{waiter("c"), waiter("d")}
		aio.Sleep(t, 0)
		b.Reset(t)
		show()
		gather(ts...)
		show()

		ts = []*aio.Handle[unit]{waiter("e"), waiter("f")}
		aio.Sleep(t, 0)
		ts[0].Cancel()
		aio.Sleep(t, 0)
		show()
		ts = append(ts, waiter("g"))
		i, err := b.Wait(t)
		gather(ts...)
		printf("main passed %d", i)
		if err != nil {
			return err
		}
		show()

		ts = []*aio.Handle[unit]{waiter("h")}
		aio.Sleep(t, 0)
		b.Abort(t)
		gather(ts...)
		show()
		if _, err := b.Wait(t); errors.Is(err, aio.ErrBrokenBarrier) {
			printf("main broken %s", pyBool(b.Broken()))
		}
		if b.Parties() != 3 {
			return fmt.Errorf("Parties = %d", b.Parties())
		}
		return nil
	})
	testbound.MatchesFile(t, out.Bytes(), "testdata/barrier.txt")
	if py, ok := testbound.Python(t, "testdata/barrier.py"); ok && !bytes.Equal(out.Bytes(), py) {
		t.Errorf("output differs from CPython's\ngot:\n%s\npython3:\n%s", out.Bytes(), py)
	}
}

func ExampleBarrier() {
	aio.Run(aio.Async(func(t *aio.Task) (int, error) {
		b := aio.NewBarrier(3)
		for range 2 {
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return b.Wait(t) }))
		}
		aio.Sleep(t, 0)
		fmt.Println(b)
		b.Wait(t)
		fmt.Println(b)
		fmt.Println("barrier passed")
		aio.Sleep(t, 0)
		fmt.Println(b)
		return 0, nil
	}), virtual)
	// Output:
	// <Barrier [filling, waiters:2/3]>
	// <Barrier [draining, waiters:0/3]>
	// barrier passed
	// <Barrier [filling, waiters:0/3]>
}
