// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: Shopify/goose#23
// Round: 2
package bug
