// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: couchbase/sync_gateway#7322
// Round: 2
package bug
