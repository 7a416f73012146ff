// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: milvus-io/milvus#29246 (issue milvus-io/milvus#29104)
// Round: 2
package bug
