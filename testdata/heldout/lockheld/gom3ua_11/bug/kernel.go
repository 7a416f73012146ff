// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: wmnsk/go-m3ua#11
// Round: 2
package bug
