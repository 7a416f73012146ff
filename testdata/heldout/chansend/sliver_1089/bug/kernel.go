// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: BishopFox/sliver#1089
// Round: 2
package bug
