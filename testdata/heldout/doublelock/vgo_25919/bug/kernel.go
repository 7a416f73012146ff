// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: golang/go#25919
// Round: 2
package bug
