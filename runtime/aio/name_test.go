package aio

import "testing"

// Machine types named as asyncgo rewrite names them, and hand-written ones.
type (
	_agspin                     struct{ Machine[int] }
	_ag10downloader_downloadOne struct{ Machine[int] }
	_agpair[T any]              struct{ Machine[int] }
	handMachine                 struct{ Machine[int] }
)

// TestCoroutineNames checks that a lowered coroutine is named after the
// function it was lowered from, as a direct one is (the name Task.String
// prints in coro=<...>), generic functions included.
func TestCoroutineNames(t *testing.T) {
	for _, c := range []struct {
		m    any
		want string
	}{
		{&_agspin{}, "spin"},
		{&_ag10downloader_downloadOne{}, "downloadOne"},
		{&_agpair[string]{}, "pair"},
		{&handMachine{}, "aio.handMachine"},
	} {
		if got := machineName(c.m); got != c.want {
			t.Errorf("machineName(%T) = %q, want %q", c.m, got, c.want)
		}
	}
	if got := Async(genericBody[int]).name(); got != "genericBody" {
		t.Errorf("a generic function's direct coroutine is named %q, want genericBody", got)
	}
	if got := spinLike().name(); got != "spinLike" {
		t.Errorf("a direct coroutine is named %q, want spinLike", got)
	}
}

func genericBody[T any](t *Task) (T, error) { var z T; return z, nil }

func spinLike() *Coroutine[int] {
	return Async(func(t *Task) (int, error) { return 0, nil })
}
