// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: block/cachew#261
// Round: 2
package bug
