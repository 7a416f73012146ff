// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: ethereum/go-ethereum#20657
// Round: 2
package bug
