// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: im7mortal/kmutex#5
// Round: 2
package bug
