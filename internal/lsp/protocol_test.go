package lsp

import (
	"testing"
)

// Positions in each encoding: a byte offset or a go/token line and column
// becomes a Position and back, across multi-byte runes and a rune outside
// the BMP (two UTF-16 units).
func TestPositions(t *testing.T) {
	text := []byte("ab\né𝄞x\n\nlast")
	for _, tc := range []struct {
		off       int // byte offset
		line, col int // go/token's, 1-based, col in bytes
		enc       string
		want      Position
	}{
		{0, 1, 1, utf16Encoding, Position{0, 0}},
		{2, 1, 3, utf16Encoding, Position{0, 2}},
		{5, 2, 3, utf16Encoding, Position{1, 1}},  // after é (2 bytes, 1 unit)
		{9, 2, 7, utf16Encoding, Position{1, 3}},  // after 𝄞 (4 bytes, 2 units)
		{9, 2, 7, utf8Encoding, Position{1, 6}},   // bytes
		{9, 2, 7, utf32Encoding, Position{1, 2}},  // runes
		{12, 4, 1, utf16Encoding, Position{3, 0}}, // after the empty line
		{16, 4, 5, utf16Encoding, Position{3, 4}}, // the end
	} {
		if got := offsetPosition(text, tc.off, tc.enc); got != tc.want {
			t.Errorf("offsetPosition(%d, %s) = %v, want %v", tc.off, tc.enc, got, tc.want)
		}
		if got := linecolPosition(text, tc.line, tc.col, tc.enc); got != tc.want {
			t.Errorf("linecolPosition(%d:%d, %s) = %v, want %v", tc.line, tc.col, tc.enc, got, tc.want)
		}
		if got := positionOffset(text, tc.want, tc.enc); got != tc.off {
			t.Errorf("positionOffset(%v, %s) = %d, want %d", tc.want, tc.enc, got, tc.off)
		}
	}
	// A character past the end of its line is the end of the line.
	if got := positionOffset(text, Position{0, 99}, utf16Encoding); got != 2 {
		t.Errorf("positionOffset past the end of line 0 = %d, want 2", got)
	}
	if got := positionOffset(text, Position{9, 0}, utf16Encoding); got != len(text) {
		t.Errorf("positionOffset past the last line = %d, want %d", got, len(text))
	}
}

func TestURIs(t *testing.T) {
	for _, path := range []string{"/a/b.go", "/with space/ü.go", "/x#y/%z.go"} {
		uri := pathURI(path)
		if got := uriPath(uri); got != path {
			t.Errorf("uriPath(pathURI(%q)) = %q (uri %s)", path, got, uri)
		}
	}
	if got := uriPath("untitled:Untitled-1"); got != "" {
		t.Errorf("uriPath of an untitled document = %q, want empty", got)
	}
	if got := uriPath("file:///a/%C3%BC.go"); got != "/a/ü.go" {
		t.Errorf("uriPath of an escaped URI = %q", got)
	}
}
