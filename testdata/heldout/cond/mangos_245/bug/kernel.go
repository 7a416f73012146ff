// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: nanomsg/mangos#245
// Round: 2
package bug
