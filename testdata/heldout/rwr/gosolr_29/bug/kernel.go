// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: fullstorydev/gosolr#29
// Round: 2
package bug
