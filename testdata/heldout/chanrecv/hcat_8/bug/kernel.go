// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: hashicorp/hcat#8 (fixed by hashicorp/hcat#10)
// Round: 2
package bug
