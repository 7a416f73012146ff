package lsp

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The LSP 3.17 types the server reads or writes. Everything else passes
// through as the bytes it came in: the server forwards gopls's messages
// without decoding them, and merges into the few it must (publishDiagnostics
// and the codeAction results) at the level of their JSON members, so that
// fields this file does not name are kept.

// Position is a position in a text document: a zero-based line and a
// zero-based offset in the line, counted in the negotiated position
// encoding's code units.
type Position struct {
	Line      uint32 `json:"line"`
	Character uint32 `json:"character"`
}

// Range is a range [Start, End) in a text document.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Location is a range in a document.
type Location struct {
	URI   string `json:"uri"`
	Range Range  `json:"range"`
}

// Diagnostic severities.
const (
	SeverityError       = 1
	SeverityWarning     = 2
	SeverityInformation = 3
	SeverityHint        = 4
)

// Diagnostic is an LSP diagnostic.
type Diagnostic struct {
	Range              Range                          `json:"range"`
	Severity           int                            `json:"severity,omitempty"`
	Code               string                         `json:"code,omitempty"`
	CodeDescription    *CodeDescription               `json:"codeDescription,omitempty"`
	Source             string                         `json:"source,omitempty"`
	Message            string                         `json:"message"`
	RelatedInformation []DiagnosticRelatedInformation `json:"relatedInformation,omitempty"`
}

// CodeDescription links a diagnostic's code to its documentation.
type CodeDescription struct {
	Href string `json:"href"`
}

// DiagnosticRelatedInformation is a secondary location of a diagnostic.
type DiagnosticRelatedInformation struct {
	Location Location `json:"location"`
	Message  string   `json:"message"`
}

// TextEdit replaces a range of a document with NewText.
type TextEdit struct {
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// WorkspaceEdit is a set of edits to documents, keyed by URI.
type WorkspaceEdit struct {
	Changes map[string][]TextEdit `json:"changes"`
}

// CodeAction is a code action; asyncgo's are quick fixes.
type CodeAction struct {
	Title       string         `json:"title"`
	Kind        string         `json:"kind,omitempty"`
	Diagnostics []Diagnostic   `json:"diagnostics,omitempty"`
	IsPreferred bool           `json:"isPreferred,omitempty"`
	Edit        *WorkspaceEdit `json:"edit,omitempty"`
}

// QuickFix is the code action kind of a quick fix.
const QuickFix = "quickfix"

type textDocumentIdentifier struct {
	URI string `json:"uri"`
}

type didOpenParams struct {
	TextDocument struct {
		URI        string `json:"uri"`
		LanguageID string `json:"languageId"`
		Version    int32  `json:"version"`
		Text       string `json:"text"`
	} `json:"textDocument"`
}

type didChangeParams struct {
	TextDocument struct {
		URI     string `json:"uri"`
		Version int32  `json:"version"`
	} `json:"textDocument"`
	ContentChanges []struct {
		Range *Range `json:"range"`
		Text  string `json:"text"`
	} `json:"contentChanges"`
}

type documentParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
}

type codeActionParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
	Range        Range                  `json:"range"`
	Context      struct {
		Only []string `json:"only"`
	} `json:"context"`
}

// Position encodings (LSP 3.17 PositionEncodingKind).
const (
	utf8Encoding  = "utf-8"
	utf16Encoding = "utf-16"
	utf32Encoding = "utf-32"
)

// units is the length of s in code units of the position encoding enc.
func units(s []byte, enc string) int {
	switch enc {
	case utf8Encoding:
		return len(s)
	case utf32Encoding:
		return utf8.RuneCount(s)
	}
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		n += utf16.RuneLen(r) // an invalid byte counts as U+FFFD: one unit
	}
	return n
}

// lineStart returns the byte offset of the start of the zero-based line
// (the end of text if it has fewer lines).
func lineStart(text []byte, line int) int {
	off := 0
	for ; line > 0; line-- {
		i := strings.IndexByte(string(text[off:]), '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	return off
}

// lineEnd returns the byte offset of the end of the line starting at off
// (before its newline).
func lineEnd(text []byte, off int) int {
	if i := strings.IndexByte(string(text[off:]), '\n'); i >= 0 {
		return off + i
	}
	return len(text)
}

// offsetPosition converts a byte offset of text to a Position.
func offsetPosition(text []byte, off int, enc string) Position {
	off = min(max(off, 0), len(text))
	line := strings.Count(string(text[:off]), "\n")
	start := strings.LastIndexByte(string(text[:off]), '\n') + 1
	return Position{Line: uint32(line), Character: uint32(units(text[start:off], enc))}
}

// linecolPosition converts a 1-based line and 1-based byte column (go/token's) to
// a Position. A column of 0 means the start of the line.
func linecolPosition(text []byte, line, col int, enc string) Position {
	if line < 1 {
		return Position{}
	}
	start := lineStart(text, line-1)
	end := min(start+max(col-1, 0), lineEnd(text, start))
	return Position{Line: uint32(line - 1), Character: uint32(units(text[start:end], enc))}
}

// positionOffset converts a Position of text to a byte offset. A character
// past the end of its line means the end of the line (as LSP says).
func positionOffset(text []byte, p Position, enc string) int {
	start := lineStart(text, int(p.Line))
	end := lineEnd(text, start)
	if enc == utf8Encoding {
		return min(start+int(p.Character), end)
	}
	n := 0
	off := start
	for off < end && n < int(p.Character) {
		r, size := utf8.DecodeRune(text[off:end])
		if enc == utf32Encoding {
			n++
		} else {
			n += utf16.RuneLen(r)
		}
		off += size
	}
	return off
}

// uriPath returns the file path of a file: URI, or "" for another scheme.
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	p := u.Path
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' { // file:///C:/x on Windows
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

// pathURI returns the file: URI of an absolute path.
func pathURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// rawMembers decodes a JSON object into its members, kept raw.
func rawMembers(data []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	err := json.Unmarshal(data, &m)
	return m, err
}
