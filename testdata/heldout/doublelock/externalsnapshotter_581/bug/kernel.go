// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: kubernetes-csi/external-snapshotter#581
// Round: 2
package bug
