// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: kubernetes-sigs/controller-runtime#3545
// Round: 2
package bug
