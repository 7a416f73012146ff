// Package bug is a held-out kernel (issue 14), being written.
//
// Upstream: livekit/livekit#3625
// Round: 2
package bug
