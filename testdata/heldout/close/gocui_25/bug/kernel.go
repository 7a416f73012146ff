// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: jesseduffield/gocui#25
// Round: 2
package bug
