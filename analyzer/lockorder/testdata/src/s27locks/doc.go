// Package s27locks holds session 27's lockorder cases (helper locks):
// registrations made by get-or-create, back-pointers to an owner that
// embeds its lock, wrappers made for an owner's slot, atomic.Pointer
// getters, lookup methods whose result is a container's element, and
// striped locks (slices of mutexes), each beside its silent look-alikes.
package s27locks
