package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// FrontierItems returns the frontier rows of the given URLs, those known
// (a queue's fetch job reads its URL's validators and state, and which of
// the links found are new or due).
func (s *Store) FrontierItems(ctx context.Context, urls []string) (map[string]FrontierItem, error) {
	out := map[string]FrontierItem{}
	for chunk := range slices.Chunk(urls, 500) {
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		rows, err := s.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM frontier WHERE url IN (?`+
			strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("frontier: %w", err)
		}
		items, err := scanItems(rows, "")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[it.URL] = it
		}
	}
	return out, nil
}
