// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: grpc/grpc-go#6538
// Round: 2
package bug
