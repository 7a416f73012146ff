// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: buraksezer/consistent#23
// Round: 2
package bug
