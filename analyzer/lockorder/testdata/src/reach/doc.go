// Package reach holds unit cases for the locks lockorder reaches by class
// (back-pointers, mutex aliases), callbacks passed to constructors, locks
// left held on some returns, and selects as waits: each positive beside
// the look-alike that must stay silent.
package reach
