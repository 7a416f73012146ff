// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: shirou/gopsutil#1474 (fixed by shirou/gopsutil#1475)
// Round: 2
package bug
