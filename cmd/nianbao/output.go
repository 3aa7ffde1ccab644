package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nianbao/nianbao/store"
)

// exportDest is where an export writes, checked: never over the database
// being read, never over an existing file unless forced, never into a
// folder that does not exist (only the export's own folder is made).
type exportDest struct {
	Path  string // the XLSX file, or the folder of the CSV or JSON files
	force bool
}

// exportDestination checks every file the export of tables would write.
// The database is recognised by identity (os.SameFile), not by name, so a
// link to it or another spelling of its path is refused too.
func exportDestination(db, out, format string, tables []*store.Table, force bool) (*exportDest, error) {
	var dbFiles []os.FileInfo
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if fi, err := os.Stat(db + suffix); err == nil {
			dbFiles = append(dbFiles, fi)
		}
	}
	isDB := func(fi os.FileInfo) bool {
		for _, d := range dbFiles {
			if os.SameFile(fi, d) {
				return true
			}
		}
		return false
	}
	// check refuses name when it is the database, a folder, or a file that
	// exists while force is off.
	check := func(name string) error {
		fi, err := os.Stat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return fmt.Errorf("export %s: %w", name, err)
		case isDB(fi):
			return usageError("%s is the database being exported (%s): refused, whatever --force says", name, db)
		case fi.IsDir():
			return usageError("%s is a folder: an %s export writes a file", name, format)
		case !force:
			return usageError("%s exists: refused (--force replaces it)", name)
		}
		return nil
	}
	d := &exportDest{Path: out, force: force}
	if format == "xlsx" {
		if err := parentExists(out); err != nil {
			return nil, err
		}
		return d, check(out)
	}
	fi, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return d, parentExists(out)
	case err != nil:
		return nil, fmt.Errorf("export %s: %w", out, err)
	case isDB(fi):
		return nil, usageError("%s is the database being exported (%s): refused", out, db)
	case !fi.IsDir():
		return nil, usageError("%s is a file: a %s export writes one file per table into a folder", out, format)
	}
	for _, t := range tables {
		if err := check(filepath.Join(out, t.Name+"."+format)); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// parentExists refuses an output whose folder does not exist (exit 2):
// a mistyped path should not make folders.
func parentExists(out string) error {
	dir := filepath.Dir(out)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError("--out %s: the folder %s does not exist", out, dir)
	case err != nil:
		return fmt.Errorf("export %s: %w", out, err)
	case !fi.IsDir():
		return usageError("--out %s: %s is not a folder", out, dir)
	}
	return nil
}

// makeFolder creates the export's folder (its parent exists: checked).
func (d *exportDest) makeFolder() error {
	if err := os.Mkdir(d.Path, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// write writes name through a temporary file in the same folder, renamed
// into place when complete. Without force the last step is a hard link,
// which fails rather than replace a file that appeared since the check.
func (d *exportDest) write(name string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone after the rename or link; left by an error
	// CreateTemp makes the file private; an export is for sharing.
	err = f.Chmod(0o644)
	bw := bufio.NewWriterSize(f, 1<<16)
	if err == nil {
		err = write(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.place(tmp, name)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	return nil
}

// place moves the finished temporary file to name.
func (d *exportDest) place(tmp, name string) error {
	if d.force {
		return os.Rename(tmp, name)
	}
	err := os.Link(tmp, name)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s appeared while exporting: not replaced (--force replaces it)", name)
	}
	// A file system without hard links: check, then rename.
	if _, serr := os.Lstat(name); serr == nil {
		return fmt.Errorf("%s appeared while exporting: not replaced (--force replaces it)", name)
	}
	return os.Rename(tmp, name)
}
