// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: vanadium/core#214
// Round: 2
package bug
