// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: square/p2#640
// Round: 2
package bug
