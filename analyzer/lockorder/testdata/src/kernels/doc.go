// Package kernels holds lock deadlocks fixed in large Go projects, each
// reduced to a small kernel written for this test (no upstream code), with
// the upstream issue or pull request, the bug and the fix in a comment, and
// the fixed version beside it as a negative. A kernel lockorder does not
// catch has no want comment and says MISSED and why.
package kernels
