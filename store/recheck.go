package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RecheckOrgans checks rules 5 and 6 again between the current reports of
// the consecutive years of the given organs only (the organs a queue's
// parse jobs wrote under, Outcome.OrganID), as RecheckYears does for every
// organ. It returns how many organs and years it checked.
func (s *Store) RecheckOrgans(ctx context.Context, ids []int64) (int, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id <= 0 })
	slices.Sort(ids)
	ids = slices.Compact(ids)
	n := 0
	for chunk := range slices.Chunk(ids, 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		k, err := s.recheck(ctx, ` AND organ_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// recheck checks rules 5 and 6 again for the organs and years of the
// current reports that cond (" AND …" on reports) selects, a thousand a
// transaction, through the writer's own check (checkYears, checkOrgan):
// only the findings that differ are written.
func (s *Store) recheck(ctx context.Context, cond string, args ...any) (int, error) {
	if s.db == nil {
		return 0, errors.New("recheck: the store is open read-only")
	}
	var groups []organYear
	rows, err := s.rdb.QueryContext(ctx, `SELECT DISTINCT organ_id, year FROM reports WHERE current AND organ_id IS NOT NULL`+
		cond+` ORDER BY organ_id, year`, args...)
	if err != nil {
		return 0, fmt.Errorf("recheck: %w", err)
	}
	for rows.Next() {
		var g organYear
		if err := rows.Scan(&g.organ, &g.year); err != nil {
			rows.Close()
			return 0, fmt.Errorf("recheck: %w", err)
		}
		groups = append(groups, g)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("recheck: %w", err)
	}
	for batch := range slices.Chunk(groups, 1000) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		err := s.retry(ctx, func() error {
			return s.withTx(ctx, func(w *txWriter) error {
				for _, g := range batch {
					w.touch(g.organ, g.year)
				}
				return nil
			})
		})
		if err != nil {
			return 0, fmt.Errorf("recheck: %w", err)
		}
	}
	return len(groups), nil
}
