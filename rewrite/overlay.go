package rewrite

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
)

// WriteOverlay writes the new contents of files under dir, with a
// `go build -overlay` file that puts them in place of (or beside) the
// sources and hides the files to remove, and returns that file's path: the
// lowered build then compiles without a byte of the tree changing.
func WriteOverlay(dir string, files []File) (string, error) {
	replace := make(map[string]string, len(files))
	for i, f := range files {
		abs, err := filepath.Abs(f.Path)
		if err != nil {
			return "", err
		}
		if f.Remove {
			replace[abs] = "" // an empty replacement: the file is deleted
			continue
		}
		p := filepath.Join(dir, strconv.Itoa(i)+"_"+filepath.Base(f.Path))
		if err := os.WriteFile(p, f.New, 0o644); err != nil {
			return "", err
		}
		replace[abs] = p
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, data, 0o644)
}
