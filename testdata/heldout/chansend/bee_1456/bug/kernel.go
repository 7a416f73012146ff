// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: ethersphere/bee#1456
// Round: 2
package bug
