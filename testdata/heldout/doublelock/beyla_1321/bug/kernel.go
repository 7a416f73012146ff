// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: grafana/beyla#1321
// Round: 2
package bug
