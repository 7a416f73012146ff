// Package deferwake holds wakes written in a deferred function literal or
// a deferred helper: they run when the function returns, after every Lock
// it takes, and each case beside its fixed look-alike.
package deferwake
