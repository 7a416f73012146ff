// Package chanblock defines an Analyzer that finds channel operations that
// can never complete because nothing on the other side exists.
//
// # Analyzer chanblock
//
// chanblock: report channel operations and WaitGroup waits that nothing
// will ever complete.
//
// A channel is followed (analyzer/internal/chanuse) from the make through
// captured variables, arguments of this package's functions, goroutines
// (go statements, and function literals handed to a group's Go:
// sync.WaitGroup.Go, errgroup's Group.Go), and a field of a struct the
// maker allocates; an unexported channel field
// of a struct type of this package is also followed as a class, over every
// function of the package that reaches the field. A channel that leaves
// that closed world (stored elsewhere, returned, passed to another package,
// sent on a channel) is never reported. The shapes:
//
//   - a plain receive (or range) from a channel that nothing sends on or
//     closes: it blocks forever;
//   - a plain send on a channel that nothing receives from: the send blocks
//     forever once the buffer is full (at once when unbuffered; for a
//     buffer of N, a send preceded on every path by N other sends);
//   - an operation on a channel field that is never assigned: a nil
//     channel blocks forever; also when the field's nil channel is
//     handed to a call as the one to deliver on (conn.NotifyClose(c.errs);
//     a select case on it then never fires; the field neither assigned
//     anything but nil, addressed, nil-tested, nor its struct converted;
//     carbonblack/cb-event-forwarder#175); also a plain send, receive or range on a
//     channel variable (local, or an unexported package variable)
//     declared without a value and never assigned by name or through its
//     address, nor tested against nil (DefangLabs/defang#1625: errChan
//     declared, never made, and the first failing goroutine blocks in its
//     send), and a channel parameter of an unexported function (or of a
//     function literal called where it is written) that every call fills
//     with such a variable; a receive that is a function's only
//     statement parks it on purpose and is left alone;
//   - a range over a channel that senders fill but nothing closes: the loop
//     never ends and its goroutine blocks after the last value;
//   - a function that receives from a channel whose only close is its own
//     deferred close: the close runs only after the function returns;
//   - a context's cancel function kept in an unexported field that nothing
//     in the package ever calls, while a goroutine was started with the
//     context: its Done closes only if the parent is canceled (go vet's
//     lostcancel covers cancel functions in local variables); and one kept
//     in a field nothing ever reads (not called, copied nor handed on; the
//     local it came from used for nothing else), whatever the context is
//     handed to: it is never canceled, and what waits on its Done (the
//     context package's own watcher goroutine for a parent of a foreign
//     type, a callee) waits for the parent or the deadline
//     (uber/tchannel-go#278);
//   - a context's cancel function in a local variable that the function
//     calls on some paths only (never deferred nor handed on), while a
//     goroutine started with the context (by a go statement, or by a
//     helper of the package the context is passed to) can return only
//     through ctx.Done() (its other cases receive from private channel
//     fields nothing in the package sends on or closes): on a path that
//     returns without canceling, the goroutine waits until the parent
//     context is canceled, never for context.Background()
//     (googleapis/google-cloud-go#183);
//   - a goroutine stopped by the wrong context: a function derives a
//     child of its context parameter and defers the child's cancel, but
//     starts a goroutine with the parent context (captured or passed)
//     whose only way to return waits on the parent's Done(): after the
//     function returns the goroutine keeps waiting until the caller's
//     context is canceled, one per call (sensu/sensu-go#1749);
//   - a send on a buffered channel field (made with a constant buffer,
//     assigned once) of a struct just allocated, by the function that
//     allocates it or by its caller when a helper returns it, that finds
//     the buffer full from the sends before it on the path while the
//     struct is not yet published (stored, passed to a call, captured,
//     returned; a receive or any other use of the channel counts as
//     published too; a call of a helper that only makes one plain send
//     on the channel field, on every path, counts as that send): no
//     other goroutine can receive yet (mit-dci/lit#181);
//   - a plain send on a private channel field made while holding a mutex
//     field (locked on every path to the send, not unlocked on the way;
//     a deferred unlock holds it), when every receive from the channel
//     (reading the field, or in a function started with the field's value
//     as an argument) is in a loop, plain or in a select, of a function
//     started as a goroutine that can lock that same mutex field (of any
//     instance: the mutex is identified by its field) between two
//     receives: the sender waits for a receiver that waits for the mutex
//     (treeverse/lakeFS#1390, portworx/sched-ops#359); the send may be in
//     a helper called (two levels deep) with the mutex held, unless a
//     helper on the way unlocks it, or deferred while it is held with no
//     unlock after the defer statement but one deferred before it (that
//     unlock runs after the deferred send), the field's channel may reach
//     the receiving function through a local a started function literal
//     captures (done := make(...); c.done = done; go func() {
//     c.loop(done) }()), the receivers may lock it in a helper
//     their loop calls (up to three calls below: slackhq/nebula#1151's
//     query worker sends through the interface, which comes back to the
//     sender's lookup and its read lock) and reach the channel through
//     a method returning the field,
//     and a receiving function that never returns counts as a goroutine
//     (rabbitstack/fibratus#655); the receiving loop may also be an
//     exported function or method (its callers' goroutines run it: a
//     queue's Consume), and the receive may be in a helper every call
//     site of which is in such a loop, which locks the mutex after the
//     receive itself or in a function literal the call site hands it (a
//     generic wrapper's take(settle), fields and methods of a generic
//     type followed through their origin:
//     open-telemetry/opentelemetry-collector#11063); two read locks conflict only when the
//     package also takes the write lock (a queued writer blocks new
//     readers: nspcc-dev/neo-go#741); a channel made with a constant
//     buffer is reported only for a send (or a call reaching it) in a
//     loop, or in a function that can run many times (exported, or called
//     in a loop or from an exported function) when every receive goes on
//     receiving after its value (a one-shot stop value fits its room for
//     one, repeated sends fill any buffer: keybase/kbfs#77), and one
//     made with a buffer of len(items) is left
//     alone (room for every item);
//   - a plain send, in a loop of a goroutine, on a channel kept in a field
//     (or in a slice or map field: subscribers' channels) whose element
//     type the package hands out on a channel it returns (consumers it
//     does not control), made holding a mutex field, when the goroutine's way out is a receive from a
//     private channel field that the package closes or sends on only
//     while holding that mutex: once a consumer stops draining, the
//     stopper waits for the mutex the blocked sender holds
//     (goadesign/pulse#77); a lock taken again in the next round of a
//     loop is another acquisition, so a send between Lock and Unlock in a
//     loop counts as made holding the mutex;
//   - a plain operation on a channel variable made on some paths only, on
//     a path where it is still nil (a condition already decided on the way
//     and nil tests are followed one way), also in the function or
//     goroutine it is handed to, and in a goroutine literal that captures
//     it (a cell go/ssa keeps: declared nil, made on some paths only by
//     the declaring function, only read by the literals);
//   - a nil channel returned with an error (return nil, err) by a
//     function whose caller drops the error (blank) and, without a nil
//     test, receives or ranges on the channel, or returns it as its own
//     result with no error beside it, so that the callers of that async
//     API range over nil (libp2p/go-libp2p-routing-helpers#64); a
//     function returning a nil channel without an error, and a select
//     on the result, are left alone (a disabled case is an idiom);
//   - a select without default none of whose cases can ever proceed (each
//     receives from a channel nothing sends on or closes, sends on an
//     unbuffered channel nothing receives from, or uses a never-assigned
//     field);
//   - goroutines that send on an unbuffered channel and call wg.Done after
//     the send, while their starter calls wg.Wait before any receive; with
//     a buffer of a constant N (or min(n, N)), goroutines started in a
//     loop that no constant bounds (more senders than the buffer holds),
//     the Wait after the loop: once the buffer is full the next send
//     blocks (fchimpan/gh-workflow-stats#67, and an error channel of one
//     for many goroutines read after Wait); also for function literals
//     started with a group's Go (sync.WaitGroup.Go, errgroup's Group.Go,
//     counted until they return) that send on a channel they capture,
//     received from only after the group's Wait;
//   - the close that comes after the wait it ends: goroutines counted by
//     wg.Add(1) range over a channel and call wg.Done only once the range
//     ends (deferred, or after the loop), while their starter closes the
//     channel only after wg.Wait (the Wait dominates every close, or the
//     close is deferred): the ranges never end and Wait never returns;
//     also for a private channel field that workers started on an object
//     range over, deferring Done on a WaitGroup field of that object,
//     when every close of the field follows a Wait on that WaitGroup
//     field (`p.wg.Wait(); close(p.jobs)` in Close); and for function
//     literals started with a group's Go that range over a channel they
//     capture, closed only after the group's Wait;
//   - the worker-pool cycle through two bounded channels (constant
//     buffers, or sized by a parameter or field the send loop is not
//     bounded by): a function sends jobs in a loop no constant bounds, its
//     workers receive them and send each result, in the loop that takes
//     the jobs, on a second channel that only the function receives from,
//     after its send loop: once both buffers are full and every worker is
//     blocked in its result send, the next job send blocks forever; also
//     when the function is a dispatcher loop that receives the results in
//     a select case and sends each job plainly in another (a cycle of the
//     loop passes no result receive), and when the worker sends the
//     result from a callee its job loop calls
//     (nix-community/queued-build-hook#2);
//   - a send on a channel field by the goroutine that is its only receiver
//     (an event loop queueing work to itself, directly or through a
//     callee or a deferred literal): unbuffered, or buffered with other
//     producers; also by one of a pool of worker goroutines that are its
//     only receivers, when the buffer is a constant and other producers
//     fill it: every worker can be blocked in such a send at once
//     (block/cachew#261); the receiving function may be started by a go
//     statement or by a function literal that only calls it and is only
//     started as a goroutine;
//   - a channel one goroutine both fills and drains, sent on in a loop that
//     does not receive and is bounded by no constant or len/cap check;
//   - a goroutine counted by a wg.Add before its go statement (Add(n)
//     before a loop counts each goroutine the loop starts; the Wait may be
//     in another literal sharing the variable) that returns on some path
//     without wg.Done (istio/istio#39526), or that calls wg.Done plainly
//     (not deferred) on every path while it defers a function of the
//     package that recovers a panic and neither panics again nor ends the
//     program: a panic in a call between the recover's defer and the Done
//     is swallowed and the goroutine returns without Done
//     (dedis/cothority#1954); the WaitGroup may be a field of an object
//     the goroutine captures or is passed (s.wg), and the Done may be in
//     the one helper of the package the goroutine hands the WaitGroup to
//     (its tests of the parameter against nil followed on the non-nil
//     side), whose early error return skips it (cilium/tetragon#2119);
//     also a worker goroutine
//     that counts its items down one by one (wg.Done plainly in the body
//     of its loop over a channel, each Done going on to the next item,
//     the WaitGroup waited on in the package) while an iteration can go
//     on to the next item, or return, without Done (a continue or return
//     on an error, not handing the WaitGroup to a call); and a wg.Add(1) followed on
//     some path by a return (for a local WaitGroup, a return that runs a
//     deferred Wait: rakyll/gotest#44), a Wait or
//     the next Add without starting the goroutine, handing the work to a
//     worker over a channel (a send, or a select's send case: its default
//     or ctx.Done() case is such a path) or calling Done (go vet's
//     waitgroup check covers Add inside the goroutine); also a
//     wg.Add(len(xs)) (or wg.Add(n)) before the loop bounded by that same
//     length that does the counted work (reached before any Wait), when
//     an iteration can go on to the next one or leave the loop (continue,
//     break) without starting a goroutine, handing work off, calling
//     Done or giving the count back with a negative Add
//     (php/frankenphp#1890);
//   - a call that counts itself in flight: a function does wg.Add(1) on an
//     unexported WaitGroup field that something waits on and calls
//     wg.Done itself (not deferred) on some path, but another path from
//     the Add returns without Done, starting no goroutine and handing
//     nothing off (influxdata/influxdb-client-go#30: Flush's early
//     returns); left alone when anything else in the package may drop the
//     count (a Done in a function that neither adds to the field, nor is
//     nested in one that does, nor is started by a go statement: an
//     acquire/release pair; or the field's address or Done handed on);
//   - one stop value for several waiters: a channel nothing closes, sent on
//     once (outside loops, in a function no loop calls) or handed to
//     os/signal.Notify (one value per signal), that two or more goroutines
//     started on one path receive from (a go statement, or a group's Go
//     handed a function literal, in a loop counts as many, also for a
//     method started in a loop on one object), each
//     able to return only after that receive (a deferred call counts as
//     another way out only when it may recover: a deferred wg.Done does
//     not; couchbase/sync_gateway#4436): one waiter wakes, every
//     other blocks forever (close was needed); also for a channel the
//     maker hands to the goroutines it starts and stores in a private
//     field of the struct it returns, sent on once through the field
//     elsewhere (jaegertracing/jaeger#1454), and for waiters started on
//     one object by two different exported methods (MainLoop and
//     StartTicking, while Close sends once: jesseduffield/gocui#25);
//   - a single plain receive from a channel the function makes, whose one
//     sender goroutine can return without sending on or closing it (an
//     error path): the receive blocks forever on that path; also for a
//     channel a helper returns (afex/hystrix-go#7), received by the
//     helper's callers or, through a wrapper that only returns it on
//     (alone or in a tuple, return w.watch(stop), nil), by the wrapper's
//     callers (a nil test of it is no escape there), and in a loop when
//     the call that yields it comes first on every path round the loop
//     (one receive per channel: hashicorp/vault#8547);
//   - a receive that counts its senders: a function makes a channel,
//     starts one goroutine per item in a loop (a go statement or a
//     group's Go; the same function each
//     time, sending at most once: no send in a loop of its own, none in a
//     deferred call), nothing closes the channel, and the function
//     receives in a counting loop (a range, or a for with a condition)
//     other than the one that starts them, while the goroutine has a path
//     that returns without sending: fewer values arrive than the loop
//     takes and its last receive blocks forever (Michad/tilegroxy#863:
//     a failing child sends its error but no image);
//   - a range over a channel a function returns after filling and closing
//     it itself (directly or in a helper it calls, never in a goroutine),
//     when a path returns the channel without the close: nothing is left
//     to close it and the range never ends
//     (go-telegram-bot-api/telegram-bot-api#538);
//   - a range over a channel its maker hands to one helper of the
//     package, run with go or called with its results ignored, when only
//     goroutines the helper starts close it and a path of the helper
//     returns before starting them without closing it (r3labs/sse#10: a
//     failed connect returns its error, the reader that closes the
//     caller's channel never starts, and the caller's range never ends);
//   - a range over a channel field whose producer closes it on some paths
//     only: one function sends on the field and holds every close of it
//     (none deferred anywhere), a path from one of its sends reaches a
//     return without the close, and the function that started the ranging
//     goroutine (ranging over the field, or over a parameter that every go
//     statement starting it fills with the field's channel) calls that
//     producer after the go statement (fiatjaf/nak#158);
//   - a plain receive from a channel taken from a registry (a map of
//     channels in a private field or an unexported package variable,
//     whose channels are only ever received from), when the function that
//     makes a channel, stores it there and closes it can return on some
//     path after the store without closing it or deleting the entry: every
//     waiter that found it blocks forever (libp2p/go-libp2p#49); also for
//     a private channel field of a struct that one function makes with
//     the channel, publishes (in a map, a field of an object others reach
//     or a package variable) and closes, on that same struct, on some
//     paths only, nothing sending on the field (a deduplicating group's
//     call whose done channel is closed on success only);
//   - a buffered channel used as a semaphore (constant sends, receives that
//     drop the value; in a field, or an element of a map field looked up
//     or created per key) whose token a path of the acquiring function never
//     gives back: the function releases it or hands it off (a receive, a
//     deferred release, a goroutine or callee that releases) on some
//     paths, but another reaches an error return or, in a loop, the
//     acquire again; a callee that hands the token off only on success is
//     followed into its error result ("if err := s.issue(m); err != nil");
//   - a wait for a goroutine that never returns: no path of its function
//     reaches a return, a panic or a call that ends the goroutine (the
//     classic `for { select { case <-quit: break } }`, whose break leaves
//     only the select; a range over a time package channel is endless;
//     for a WaitGroup, also a goroutine whose only way out waits on
//     ctx.Done() of the context.Background() or context.TODO() it is
//     started with, which is never canceled), while a wg.Wait waits on
//     the WaitGroup it was counted on (wg.Add(1) before its go statement;
//     a local WaitGroup or a field of the object it is started on) and it
//     defers Done or, capturing the WaitGroup, never reaches the Done
//     after its loop; or while a group's Wait waits for such a function
//     started with the group's Go (sync.WaitGroup.Go, errgroup's
//     Group.Go); or while a receive waits for a channel whose only
//     close is deferred in such a function. A
//     function that recovers, that defers another package's function
//     (which may recover), that calls Done on its way in (a started
//     signal) or that hands a *testing.T to a call is not reported;
//   - a call that never returns because a break meant for its loop leaves
//     only a select: a function, called (not started as a goroutine) by
//     another function of the package, never returns (as above), and an
//     endless for loop of it selects with a case that ends in an
//     unlabeled break (nanomsg/mangos-v1#48: Close lingers in `for {
//     select { case <-timer: break; case <-drained: break } }` and, once
//     the timer has fired, waits forever);
//   - a goroutine that waits on a time.Ticker's (or Timer's) channel in a
//     loop it never leaves (as above; a range over it never ends), while
//     the function that starts it (with the ticker captured or passed as
//     a local) stops the ticker, itself, deferred or in a function literal
//     it makes: Stop does not close C, so the goroutine waits forever,
//     one per start (i-love-flamingo/flamingo-commerce#290: the unlock
//     function stops the refresher's ticker); also when the ticker is
//     kept in a struct field (or a map or slice field) by the function
//     that makes it, the starter or a caller handing it to the starter,
//     or is read from the field by the goroutine, and any function of the
//     package stops a ticker read from that field
//     (InVisionApp/go-health#35: Stop stops every ticker of h.tickers);
//     and, for a timer, a goroutine that can return only after one
//     receive from its channel (outside loops, before every return): a
//     Stop before it fires leaves it waiting forever (time.AfterFunc
//     leaves nothing behind); also when the starter returns the ticker
//     and a caller stops the result: a static call, a wrapper returning
//     it, or a call of the starter as a function or method value, where
//     the value is made or through the parameter of a callee it is
//     passed to (showwin/speedtest-go#142: captureFunc() bound to
//     dm.downloadRateCapture);
//   - the timer drain `if !t.Stop() { <-t.C }` written as a plain
//     receive, reached with no Reset from a receive that took the
//     timer's value (or, under Go 1.23 timers, from an earlier Stop),
//     for a timer the function makes and uses only through Stop, Reset
//     and C: Stop reports false, no value is left, the drain blocks
//     forever (IBM/sarama#734);
//   - a plain wait for the reply to a request queued on a buffered
//     private channel field whose only receivers are blocking selects in
//     serving loops that can return and are not run again (no plain
//     receive, range or non-blocking select drains the queue, and nothing
//     closes it), when the request is a struct the sender allocates with
//     a reply channel it makes and hands nowhere else: after the loop has
//     returned the send still fits in the buffer and nobody answers
//     (osrg/gobgp#3505);
//   - a plain receive from a private channel field whose channel a
//     function makes and stores in an object it was handed (its
//     receiver, a parameter), when the only sends on and closes of the
//     field's channel (followed through local copies, captured
//     variables and nil tests) are in goroutines that function starts,
//     and a path from the store returns without starting them or
//     storing anything else in the field (an early return on an error):
//     the field keeps a channel nothing will close, and the next Wait or
//     Stop blocks forever (tsgonest/tsgonest#144: Start makes r.done
//     before cmd.Start, which can fail);
//   - a plain receive from a private channel field every send on and close
//     of which is in one function that the package only starts as a
//     goroutine (a go statement, or a literal handed to a group's Go
//     that calls it), when that function can return without sending or closing
//     (an early return on an error, before its defer close is
//     registered): the receiver (a Close or Wait method) blocks forever
//     on that path;
//   - a goroutine that returns when a receive reports its channel closed
//     (a range, or v, ok := <-ch; if !ok { return }), started by the
//     function that makes the channel and keeps it only in a private
//     field (also converted to a send-only type, or through a captured
//     variable) of a type with a Close or Stop method, when nothing in
//     the package closes the field's channel: once the object is closed
//     the goroutine waits forever (minio/minio-go#1687: Object.Close
//     never closed reqCh);
//   - a function that sets a bool field to true and then wakes the
//     waiters on a private channel field with a non-blocking one-slot
//     send (a select with a default), when the package never closes that
//     channel nor sends on it otherwise, and an exported method (which
//     several goroutines may run) receives from it in a loop that returns
//     once the field is set without passing the wake-up on: one waiter
//     wakes and every other waits forever (pion/transport#302:
//     Buffer.Close signalled notify like a Write instead of closing it).
//   - a receive outside a select from a channel that is only ever closed
//     (a context's Done, or a channel, local or a private field, that the
//     package closes and never sends on), written as if it carried
//     values: a range whose body would close, send, cancel or Stop (the
//     body never runs; kubernetes/kube-state-metrics#2977), or a comma-ok
//     receive with code for ok == true (ok is always false, and the
//     receive waits for the close; google/trillian#1407);
//   - a close of a channel field guarded by a non-blocking receive from it
//     (isClosed(c.ch), or a select whose default closes), while the
//     package sends values on that field: a pending value is taken, the
//     close is skipped, and the channel stays open and empty
//     (Trendyol/go-pq-cdc-kafka#44);
//   - a range, or a loop only a close ends, over a local channel nothing
//     in the package closes, when the channel also goes as a send-only
//     argument to code the package does not see but is sent on by the
//     caller after each such call (the callee cannot have closed it;
//     prometheus-community/windows_exporter#376);
//
// Beside these patterns a bounded interleaving checker (-stuck, on by
// default; package chanmodel) explores the paths and interleavings of the
// goroutines that use a channel whose whole life the package sees: a
// local one, one its maker returns to a caller in the package (run with
// that caller), and a private struct field's channel (run with its owner,
// the constructor or Start method that makes it, and one client calling
// one exported method once), with the WaitGroups, locks and cancellable
// contexts those goroutines share; it reports an operation some path
// leaves blocked forever, and gives up on what it does not model.
//
// An exported field counts as private when its struct type is one no
// exported name of the package exposes (chanuse.Sealed). Select cases are
// not reported one by one (a select with other cases or a default does
// not depend on one channel).
package chanblock
