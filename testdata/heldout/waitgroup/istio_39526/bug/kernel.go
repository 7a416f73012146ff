// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: istio/istio#39526
// Round: 2
package bug
