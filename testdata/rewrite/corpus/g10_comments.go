// Comments inside generator bodies: the rewriter carries them into the
// lowered code next to the statements they annotate (TestComments checks
// where each one lands).

package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// commentLimit bounds the loops below.
const commentLimit = 3 // a trailing comment on an untouched declaration

/*
A block comment between declarations.
*/

// Commented yields with comments everywhere a user writes them.
//
//asyncgo:generator
func Commented(t *trace) *coro.Generator[string, int, int] {
	// before the return of the constructor
	return coro.New(func(co *coro.Co[string, int]) int { // after the literal's brace
		// c01 before the first statement
		total := 0 // c02 trailing a declaration

		/* c03 block comment before a yield */
		got := co.Yield("first") // c04 trailing a yield
		total += got

		// c05 first line of a group
		// c06 second line of the group

		// c07 after a blank line, before a loop
		for i := 0; i < commentLimit; i++ { // c08 after the loop's brace
			// c09 inside the loop, before a yield
			v := co.Yield(fmt.Sprint("loop ", i))
			if v < 0 { // c10 after the if's brace
				// c11 before a break
				break // c12 trailing a break
			} else {
				// c13 in the else branch
				total += v
			}
			// c14 last in the loop
		}

		// c15 before a switch
		switch total % 3 { // c44 after the switch's brace
		// c16 before the first case
		case 0: // c17 after a case's colon
			// c18 in a case, before a yield
			co.Yield("zero")
			fallthrough // c19 trailing a fallthrough
		case 1:
			/* c20 block comment in a case */
			co.Yield("one or after zero")
		default:
			// c21 in the default case
			t.log("default %d", total)
		}

		// c22 before a copied loop (it does not suspend)
		for j := 0; j < 2; j++ {
			// c23 inside the copied loop
			total += j /* c24 inline block comment */ * 2
		}

		// c25 before a range that suspends
		for k, s := range []string{"a", "b"} {
			co.Yield(s + fmt.Sprint(k)) // c26 trailing a yield in a range
		}

		// c27 before a closure
		add := func(n int) {
			// c28 inside the closure
			total += n
		}
		add(1) // c29 trailing a call of the closure

		// c30 before the return
		return total // c31 trailing the return
		// c32 at the end of the body
	}) // after the constructor's call
} // after the function

// CommentedSelect has comments in a select and in a type switch.
//
//asyncgo:generator
func CommentedSelect(ch chan int, vals []any) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
	loop: // c33 after a label
		for {
			// c34 before a select
			select { // c45 after the select's brace
			// c35 before a receive case
			case v, ok := <-ch: // c36 after the receive's colon
				if !ok {
					break loop // c37 leaving the loop
				}
				co.Yield(fmt.Sprint("got ", v))
				n += v
			default:
				// c38 in the select's default
				break loop
			}
		}
		for _, v := range vals {
			// c39 before a type switch
			switch x := v.(type) {
			case int: // c40 after an int case
				co.Yield(fmt.Sprint("int ", x))
			default:
				// c41 in the type switch's default
				co.Yield(fmt.Sprintf("%T", x))
			}
		}
		var (
			// c42 in a var group
			last = n * 2 // c43 trailing a var spec
		)
		co.Yield(fmt.Sprint("last ", last))
		return n
	})
}

// commentedChan is a channel with two values, closed.
func commentedChan() chan int {
	ch := make(chan int, 2)
	ch <- 1 // untouched: the comment stays
	ch <- 2
	close(ch)
	return ch
}

var _ = register("comments/all", func(t *trace) { all(t, Commented(t)) })
var _ = register("comments/send", func(t *trace) { drive(t, Commented(t), []any{"n", 1, 1, -1, "n", "n", "n"}) })
var _ = register("comments/close", func(t *trace) { drive(t, Commented(t), []any{"n", 1, "c"}) })
var _ = register("comments/select", func(t *trace) {
	all(t, CommentedSelect(commentedChan(), []any{1, "x"}))
})
