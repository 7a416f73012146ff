// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: seatgeek/resec#28
// Round: 2
package bug
