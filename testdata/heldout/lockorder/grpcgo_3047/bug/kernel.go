// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: grpc/grpc-go#3047 (fixed by grpc/grpc-go#3051)
// Round: 2
package bug
