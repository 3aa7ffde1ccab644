package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/pipeline"
)

// checkInputs refuses input paths that do not exist (exit 2): a typo is
// said at once, before anything is read or created, rather than stored
// as a failed document.
func checkInputs(paths []string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return usageError("%s: no such file or folder", p)
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		// A device gives endless bytes and a FIFO blocks the reader until
		// a writer comes: neither is a document.
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			return usageError("%s: %s, not a regular file or folder", p, pipeline.FileKind(fi.Mode()))
		}
	}
	return nil
}

// checkDBFolder refuses a database whose folder does not exist (exit 2):
// opening it would create the folder, and a mistyped --db should not
// leave folders behind.
func checkDBFolder(db string) error {
	dir := filepath.Dir(db)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("--db %s: the folder %s does not exist", db, dir)
	case err != nil:
		return fmt.Errorf("--db %s: %w", db, err)
	case !fi.IsDir():
		return usageError("--db %s: %s is not a folder", db, dir)
	}
	return nil
}

// emptyInput is the error of inputs that hold no report file (exit 1):
// an empty folder, or one with only notes and data beside it.
func emptyInput(paths []string, n ingest.Counts) error {
	where := strings.Join(paths, ", ")
	if n.Skipped > 0 {
		return fmt.Errorf("no report files in %s (%d files there are not reports: README, *.json, *.go, images …)", where, n.Skipped)
	}
	return fmt.Errorf("no report files in %s", where)
}
