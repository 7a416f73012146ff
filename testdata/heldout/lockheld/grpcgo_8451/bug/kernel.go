// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: grpc/grpc-go#8451
// Round: 2
package bug
