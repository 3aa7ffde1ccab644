package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nianbao/nianbao/organ"
)

// ReadNames reads a names file: one decision a line, the printed name of an
// organ, then a tab or spaces, then what it stands for — a division code
// (it places the name there) or an organ's name (the name is that organ);
// blank lines and lines starting with # are ignored.
//
//	# printed name            decision
//	朝阳区人民政府              220104
//	市政府办                   淮安市人民政府办公室
func ReadNames(r io.Reader, file string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: want a printed name and a division code or organ name, got %q", file, n, line)
		}
		name := organ.Clean(f[0])
		if prev, dup := out[name]; dup && prev != f[1] {
			return nil, fmt.Errorf("%s:%d: %s is decided twice", file, n, f[0])
		}
		out[name] = f[1]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return out, nil
}

// NamesChange says what ApplyNames did.
type NamesChange struct {
	Names   int // printed names whose organ changed
	Reports int // reports moved to another organ
}

// ApplyNames makes the decisions of a names file (ReadNames) the store's:
// each name is placed as decided, a name decided before but no longer in
// the file goes back to how the program places it, and every report of a
// name whose organ changed is moved, its versions and cross-year findings
// worked out again — all in one transaction. The decisions are kept in
// organ_names and win over every later ingest and reparse.
func (s *Store) ApplyNames(ctx context.Context, decisions map[string]string) (NamesChange, error) {
	var ch NamesChange
	if s.db == nil {
		return ch, errors.New("names: the store is open read-only")
	}
	t, err := divisions()
	if err != nil {
		return ch, err
	}
	for n, v := range decisions {
		if strings.Trim(v, "0123456789") == "" && t.Lookup(v) == nil {
			return ch, fmt.Errorf("names: %s: %s is not a division code of the divisions table (%s)", n, v, t.Date)
		}
	}
	err = s.retry(ctx, func() error {
		ch = NamesChange{}
		return s.withTx(ctx, func(w *txWriter) error {
			w.organsWritten() // names written here, not by placeOrgan
			// The names to place again: those in the file, and those decided
			// before that the file no longer has.
			type entry struct {
				organ  int64
				manual sql.NullString
			}
			before := map[string]entry{}
			rows, err := w.queryRows(`SELECT name, organ_id, manual FROM organ_names WHERE manual IS NOT NULL`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var n string
				var e entry
				if err := rows.Scan(&n, &e.organ, &e.manual); err != nil {
					rows.Close()
					return err
				}
				before[n] = e
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			names := make([]string, 0, len(decisions)+len(before))
			for n := range decisions {
				names = append(names, n)
			}
			for n := range before {
				if _, ok := decisions[n]; !ok {
					names = append(names, n)
				}
			}
			slices.Sort(names)
			moved := map[string]int64{} // name → its organ now
			for _, n := range names {
				var o organ.Organ
				var manual any
				if v, ok := decisions[n]; ok {
					o = t.Resolve(n, organ.Hint{Manual: map[string]string{n: v}})
					manual = v
				} else {
					o = t.Resolve(n, organ.Hint{})
				}
				id, err := w.organID(o)
				if err != nil {
					return err
				}
				var old int64
				err = w.queryRow(`SELECT organ_id FROM organ_names WHERE name = ?`, n).Scan(&old)
				switch {
				case errors.Is(err, sql.ErrNoRows):
					_, err = w.exec(`INSERT INTO organ_names(name, organ_id, how, manual) VALUES (?,?,?,?)`, n, id, o.How, manual)
				case err == nil:
					_, err = w.exec(`UPDATE organ_names SET organ_id = ?, how = ?, manual = ? WHERE name = ?`, id, o.How, manual, n)
				}
				if err != nil {
					return fmt.Errorf("name %s: %w", n, err)
				}
				if old != id {
					moved[n] = id
					ch.Names++
				}
			}
			if len(moved) == 0 {
				return nil
			}
			// Every report of a moved name: its printed agency, cleaned.
			type report struct {
				id, organ int64
				year      sql.NullInt64
				to        int64
			}
			var move []report
			rows, err = w.queryRows(`SELECT id, agency, coalesce(organ_id, 0), year FROM reports WHERE agency IS NOT NULL`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r report
				var agency string
				if err := rows.Scan(&r.id, &agency, &r.organ, &r.year); err != nil {
					rows.Close()
					return err
				}
				if to, ok := moved[organ.Clean(agency)]; ok && to != r.organ {
					r.to = to
					move = append(move, r)
				}
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
			for _, r := range move {
				if _, err := w.exec(`UPDATE reports SET organ_id = ?, version = NULL, superseded_by = NULL, same_as = NULL WHERE id = ?`, r.to, r.id); err != nil {
					return err
				}
			}
			// Versions and cross-year findings of every organ and year a
			// report left or joined.
			groups := map[organYear]bool{}
			for _, r := range move {
				if !r.year.Valid {
					continue
				}
				if r.organ != 0 {
					groups[organYear{r.organ, int(r.year.Int64)}] = true
				}
				groups[organYear{r.to, int(r.year.Int64)}] = true
			}
			for g := range groups {
				if err := w.renumber(g.organ, g.year); err != nil {
					return err
				}
				w.touch(g.organ, g.year)
			}
			ch.Reports = len(move)
			return nil
		})
	})
	if err != nil {
		return NamesChange{}, fmt.Errorf("names: %w", err)
	}
	return ch, nil
}
