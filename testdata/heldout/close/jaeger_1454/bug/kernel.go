// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: jaegertracing/jaeger#1454 (issue jaegertracing/jaeger#1453)
// Round: 2
package bug
