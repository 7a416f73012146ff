// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: hashicorp/nomad#6082
// Round: 2
package bug
