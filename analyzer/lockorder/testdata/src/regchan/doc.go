// Package regchan holds channels kept in a map or slice field (a registry
// of subscribers' or pending requests' channels): a send on one taken out
// of the registry with the registry's lock held waits for a receiver that
// needs that lock, and each case beside its fixed look-alike.
package regchan
