package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// modulePath returns the import path of the package in dir: the path of the
// module whose go.mod is in dir or the nearest folder above it, joined with
// dir's place below that folder. dir need not exist yet.
func modulePath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	var rel []string
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		switch {
		case err == nil:
			mod := modfile.ModulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
			}
			for i, j := 0, len(rel)-1; i < j; i, j = i+1, j-1 {
				rel[i], rel[j] = rel[j], rel[i]
			}
			return path.Join(append([]string{mod}, rel...)...), nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", err
		}
		if parent := filepath.Dir(d); parent == d {
			return "", fmt.Errorf("cannot tell the import path of the package in %s: no go.mod in it or above it; pass -import", dir)
		}
		rel = append(rel, filepath.Base(d))
	}
}
