package errkind

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestKindsMatch(t *testing.T) {
	c1, c2 := New(Cancelled, "a: cancelled"), New(Cancelled, "b: cancelled")
	t1, t2 := New(Timeout, "a: timed out"), New(Timeout, "b: timed out")
	for _, c := range []struct {
		err, target error
		want        bool
	}{
		{c1, c2, true},
		{c2, c1, true},
		{fmt.Errorf("wrapped: %w", c1), c2, true},
		{c1, context.Canceled, true},
		{c1, context.DeadlineExceeded, false},
		{c1, t1, false},
		{t1, t2, true},
		{fmt.Errorf("wrapped: %w", t2), t1, true},
		{t1, context.DeadlineExceeded, true},
		{t1, context.Canceled, false},
		{t1, c2, false},
		{context.Canceled, c1, false}, // context's errors do not know ours
		{New(0, "none"), context.Canceled, false},
	} {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", c.err, c.target, got, c.want)
		}
	}
	if c1.Error() != "a: cancelled" {
		t.Errorf("Error() = %q", c1.Error())
	}
}
