// Package shapes holds lock deadlocks of the shapes issue 14 lists as
// still missed (helpers, implicit calls, callbacks through parameters and
// setters, once functions), each reduced from a fixed upstream bug to a
// small kernel written for this test (no upstream code), with the bug and
// the fix in a comment and the fixed version beside it as a negative.
package shapes
