package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// archivePath returns where the bytes with this hash are kept. The name is
// the hash alone: nothing from the document's source ever becomes a path.
func (s *Store) archivePath(sha string) string {
	return filepath.Join(s.archive, sha[:2], sha)
}

// archiveHas reports whether the archive holds a file of the right size for
// sha (a cheap check; Load verifies the hash).
func (s *Store) archiveHas(sha string, size int64) bool {
	fi, err := os.Stat(s.archivePath(sha))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size
}

// archivePut stores data under its hash. It writes a temporary file and
// renames it, so that a crash never leaves a partial file under a hash name;
// a file left without a database row by a crash is harmless and reused.
func (s *Store) archivePut(sha string, data []byte) error {
	if s.archiveHas(sha, int64(len(data))) {
		return nil
	}
	dir := filepath.Join(s.archive, sha[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	if err := os.Rename(f.Name(), s.archivePath(sha)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	return nil
}

// ArchiveGet returns the archived bytes of the document with this hash,
// checking that they still hash to it.
func (s *Store) ArchiveGet(sha string) ([]byte, error) {
	if len(sha) != 64 {
		return nil, fmt.Errorf("archive: %q is not a sha256", sha)
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return nil, fmt.Errorf("archive: %q is not a sha256", sha)
	}
	data, err := os.ReadFile(s.archivePath(sha))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("archive %s: missing from %s", sha, s.archive)
		}
		return nil, fmt.Errorf("archive %s: %w", sha, err)
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != sha {
		return nil, fmt.Errorf("archive %s: the file's content no longer matches its hash", sha)
	}
	return data, nil
}
