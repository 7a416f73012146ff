// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: rancher/rancher#35884 (issue rancher/rancher#35880)
// Round: 2
package bug
