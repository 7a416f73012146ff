// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: nspcc-dev/neo-go#741
// Round: 2
package bug
