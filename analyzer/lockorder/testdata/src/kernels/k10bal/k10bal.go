// Package k10bal declares the balancer interface of kernel K10b in a
// package of its own, as grpc-go declares balancer.Balancer.
package k10bal

// Balancer is closed by the client connection that owns it.
type Balancer interface {
	Close()
}
