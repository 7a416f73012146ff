// Package dev holds kernels reduced from the development set of issue 14's
// held-out upstream bugs, each beside its fixed look-alike.
package dev
