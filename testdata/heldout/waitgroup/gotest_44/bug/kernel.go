// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: rakyll/gotest#44
// Round: 2
package bug
