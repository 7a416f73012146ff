// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: lestrrat-go/backoff#30
// Round: 2
package bug
