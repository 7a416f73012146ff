// Package condwait defines an Analyzer that finds sync.Cond waits a waker
// can miss: the change that ends a Wait loop is made without a signal, or
// made and signalled without the Cond's lock.
//
// # Analyzer condwait
//
// condwait: report sync.Cond waiters whose wake-up can be missed.
//
// A Cond is named by its struct field (or package variable), as a lock is
// by class. For every Wait the pass reads the predicate that ends the wait:
// the conditions of the loop around the Wait (a for loop, or a goto back
// to a retry label) that leave it, or, for a Wait outside any loop, the
// if conditions that skip it. A predicate is understood when it reads a
// struct field directly or through sync/atomic (a bool flag, an error or
// pointer compared with nil, an integer compared with a constant or a
// bound, the len of a slice), through a small method of the package that
// returns such a test, or an && / || of those; a non-blocking select that
// polls a channel; ctx.Err() or ctx.Done(). From the test the pass knows
// which changes end the wait ("release" it): storing true into a flag the
// loop waits to see set, a non-nil error into an error it waits on, a
// decrement of a counter it waits to fall, an append to a slice it waits
// to fill, the close of the polled channel, the context's cancellation.
//
// The mistakes reported:
//
//   - a silent release (reported at the store or close): the function
//     that makes it neither signals nor broadcasts the Cond after it
//     (directly, through a function of the package, or deferred), and no
//     function of the package that calls it does after the call. A
//     goroutine already in Wait is never woken: it sleeps forever,
//     typically after Close (acomagu/bufpipe#6, kubernetes/kubernetes#26980);
//   - an unlocked release and signal (reported at the signal): the change
//     and the Signal or Broadcast that follows it are made without the
//     Cond's lock,
//     with no Lock in between. The waiter tests the predicate under the
//     lock and then calls Wait; the change and the signal can both fall
//     between its test and its Wait, and the signal is lost
//     (livekit/livekit#3625); for a context, the Signal made on Done
//     without the lock (erigontech/erigon#21827). A later Signal or
//     Broadcast on a path after it, made under the lock or after taking
//     it (also in a callee), repairs it: the waiter holds the lock from
//     its test to its Wait, so it is in Wait by then (kipsilabs/altmount#429);
//     also, whatever the predicate, a Signal or Broadcast made once (not
//     in a loop) by a goroutine (a go statement's, or a literal handed to
//     a group's Go) that never takes the Cond's lock, itself,
//     in a callee or in a literal it makes, when the private Cond is
//     waited on in a loop with its lock held: nothing it changed was
//     changed under the lock (Azure/go-workflow#40: each step goroutine
//     sets its status under its own mutex and signals in a deferred
//     literal, while Do, holding the lock, starts the steps and waits);
//     and by an exported function entered without the lock (a lock
//     only the package can take: callers outside cannot hold it) that
//     never takes it and changes something before it signals;
//   - a wait that ends when its context is canceled, while nothing in the
//     package turns the cancellation into a signal (no context.AfterFunc,
//     no goroutine receiving from Done that signals, no cancel followed by
//     a signal): reported at the Wait;
//   - a Signal on a Cond whose wait loop tests shared state against the
//     waiter's own key or bound (locked[key], seq < target): Signal wakes
//     one waiter, maybe one waiting for something else, which waits again,
//     and the waiter the change was for sleeps on (im7mortal/kmutex#5);
//   - a Signal after a change every waiter waits for (a closed flag set,
//     an error stored, a polled channel closed, which nothing in the
//     package undoes), while several goroutines run the Wait on one
//     instance (its function, or a caller, is started by a go statement
//     in a loop, on a receiver made before the loop, or by several go
//     statements on the same receiver): Signal wakes one of them, the others
//     sleep on after their wait is over (acomagu/bufpipe#6's review,
//     project-iris/iris#7). The change's function must wake the Cond only
//     with Signal (no Broadcast, no signalling callee or defer), and a
//     waiter that signals on every way out of its wait loop (a chain) is
//     not reported.
//   - a lost wake-up on a local Cond (reported at the Wait): a Cond the
//     function makes for itself (sync.NewCond into a variable, or a
//     sync.Cond variable), used only as its methods' receiver, through
//     its L and by the function literals that capture it, is waited on
//     with no predicate (no loop around the Wait; every if that can skip
//     it tests only parameters and constants), while a function literal
//     made before the Wait (a goroutine, or a callback handed on) signals
//     it either without the Cond's lock, or with it when the waiter took
//     that lock only after making the literal: the signal can come before
//     the Wait and is lost (cockroachdb/cockroach#69408,
//     ochinchina/supervisord#223). In a testing/synctest bubble, a
//     signaller that sleeps before it signals runs only once the waiter is
//     durably blocked, and is not reported.
//   - a consumer left behind at shutdown (reported at the Wait): a
//     function that lives until a stop signal (a receive from a channel
//     parameter of empty elements, or from a context's Done) starts a
//     goroutine that, from its call of a waiting function, can never
//     return; that function waits on a private Cond in a loop that only
//     new data ends (every test that leaves it is a slice to grow, a
//     count to rise, or a count to leave zero that nothing sets to another
//     constant): no closed flag, error, channel or context. When the stop
//     comes the producers stop with it, and the goroutine sleeps in Wait
//     for good (kubernetes/kubernetes#28158);
//   - a closed state the waiter ignores (reported at the Wait): a wait
//     loop that only new data ends (a slice to fill, a count to rise, a
//     key to appear in a map, a pointer never cleared to be filled in) on a private Cond of a struct that also has
//     a one-way state, set by another function while it holds the Cond's
//     lock and never undone: a bool set to true and never to false (a
//     closed or stopped flag), or an error only ever set non-nil. The loop never tests it: once the state is set the
//     data may never come, and with or without a Broadcast the waiter
//     sleeps on for good (rlmcpherson/s3gof3r#73);
//   - a predicate tested without the lock (reported at the Wait): the
//     tests that decide the Wait (the loop's exits, or the ifs that skip a
//     Wait outside loops) are all made while the Cond's lock is not held,
//     and the waiter takes the lock only after them and holds it at the
//     Wait; another function of the package makes the change that ends
//     the wait. The change and its Signal or Broadcast can both fall
//     between the test and the Wait, and nobody wakes the waiter again
//     (sdcio/data-server#242). A recheck under the lock (double-checked:
//     if !ready { Lock(); for !ready { Wait() } }) closes the window and
//     is not reported.
//   - a farewell wake on some exits only (reported at the Wait): a
//     goroutine that makes every wake of a private Cond (and never waits
//     on it, and wakes it in no defer) wakes it on one exit of its loop
//     and leaves the loop for good by another with no wake, or, outside
//     loops, wakes it on success and returns on an error with no wake:
//     once it is gone nothing wakes the waiter
//     (hyperledger-labs/orion-server#244);
//   - a channel made into a condition variable (reported at the
//     receive): a function releases a lock and then blocks receiving from
//     an unbuffered channel that is never closed and only sent on in
//     selects with a default; a wake sent between the Unlock and the
//     receive is dropped (juicedata/juicefs#3782);
//   - a waiter that re-waits after the close (reported at the Wait): the
//     waiting function tests a one-way state (an error only set non-nil,
//     a flag only set true) before its wait loop, another function sets
//     it under the lock and wakes the Cond, but the loop never tests it
//     again, itself or through a method that reports it: the woken waiter
//     finds its condition unchanged and waits again (smallnest/ringbuffer#12).
//
// Waits on a Cond that nothing in the package signals, and Waits on a
// field's Cond that test no predicate at all, are lockorder's
// (analyzer/lockorder/cond.go) and are not reported again. A Cond another package can reach (an exported
// field of a reachable type), or that is passed to a function, stored in a
// variable or turned into a method value, may be signalled where the pass
// cannot see: no silent release is reported for it.
package condwait
