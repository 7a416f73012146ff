// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: kubernetes-sigs/controller-runtime#178 (reported as kubernetes-sigs/controller-runtime#329)
// Round: 2
package bug
