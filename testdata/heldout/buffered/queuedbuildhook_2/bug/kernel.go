// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: nix-community/queued-build-hook#2
// Round: 2
package bug
