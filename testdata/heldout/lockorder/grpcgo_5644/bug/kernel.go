// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: grpc/grpc-go#5644 (fixed by grpc/grpc-go#5652)
// Round: 2
package bug
