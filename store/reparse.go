package store

import (
	"context"
	"fmt"

	"github.com/nianbao/nianbao"
)

// Archived is a stored document whose report may be read again from the
// archive.
type Archived struct {
	DocumentID  int64
	SHA256      string
	Source      string
	ContentType string // of the fetch that brought it, if any
}

// ReparseCount returns how many documents ReparseList would list: all, or
// those whose report was made by another parser version than this one.
func (s *Store) ReparseCount(ctx context.Context, all bool) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM reports WHERE ? OR parser <> ?`, all, nianbao.ParserVersion).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count documents to reparse: %w", err)
	}
	return n, nil
}

// ReparseList returns up to limit documents to read again, in id order,
// after the document id after. Callers page through it rather than hold
// one long read: a long read transaction would keep the WAL from being
// checkpointed.
func (s *Store) ReparseList(ctx context.Context, all bool, after int64, limit int) ([]Archived, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT d.id, d.sha256, d.source, coalesce(d.content_type, '')
		FROM documents d JOIN reports r ON r.document_id = d.id
		WHERE d.id > ? AND (? OR r.parser <> ?) ORDER BY d.id LIMIT ?`, after, all, nianbao.ParserVersion, limit)
	if err != nil {
		return nil, fmt.Errorf("list documents to reparse: %w", err)
	}
	defer rows.Close()
	var page []Archived
	for rows.Next() {
		var d Archived
		if err := rows.Scan(&d.DocumentID, &d.SHA256, &d.Source, &d.ContentType); err != nil {
			return nil, fmt.Errorf("list documents to reparse: %w", err)
		}
		page = append(page, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list documents to reparse: %w", err)
	}
	return page, nil
}
