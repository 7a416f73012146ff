// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: hashicorp/consul-esm#159 (fixed by hashicorp/consul-esm#170)
// Round: 2
package bug
