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
// sha (a cheap check; ArchiveGet verifies the hash).
func (s *Store) archiveHas(sha string, size int64) bool {
	fi, err := os.Stat(s.archivePath(sha))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size
}

// ArchivePut stores data under its hash, writing the file in place: one
// create, one write, one close (a temporary file renamed into place cost
// three more system calls and a second directory entry).
// A file cut short by a crash is found by its size (archiveHas, before a
// known document is trusted) and written again by the next run, which
// stores the document anew since its row never committed; ArchiveGet
// checks the hash of what it reads in any case. Two workers writing the
// same bytes at once write the same bytes at the same offsets.
func (s *Store) ArchivePut(sha string, data []byte) error {
	if s.db == nil {
		return fmt.Errorf("archive %s: the store is open read-only", sha)
	}
	if s.pg {
		return s.pgArchivePut(sha, data)
	}
	if s.archiveHas(sha, int64(len(data))) {
		return nil // never truncated under a reader's feet
	}
	dir := filepath.Join(s.archive, sha[:2])
	if _, ok := s.archiveDirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("archive %s: %w", sha, err)
		}
		s.archiveDirs.Store(dir, true)
	}
	path := s.archivePath(sha)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("archive %s: %w", sha, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(path)
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
	if s.pg {
		return s.pgArchiveGet(sha)
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
