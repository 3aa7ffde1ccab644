package web

import (
	"context"
	"database/sql"
	"fmt"
)

// cellColumns says which of the newer provenance columns the store's cells
// table has: a database made by an older nianbao lacks them, and the view
// shows what there is rather than refusing it.
type cellColumns struct {
	derived bool // a figure nianbao computed (the （六） sum)
	path    bool // the element path of an HTML cell
	line    bool // the line (and col_from, col_to) of a text cell
}

func readCellColumns(ctx context.Context, db *sql.DB) (cellColumns, error) {
	rows, err := db.QueryContext(ctx, `PRAGMA table_info(cells)`)
	if err != nil {
		return cellColumns{}, fmt.Errorf("web: the cells table: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{}
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return cellColumns{}, fmt.Errorf("web: the cells table: %w", err)
		}
		if name, ok := vals[1].(string); ok {
			have[name] = true
		}
	}
	if err := rows.Err(); err != nil {
		return cellColumns{}, fmt.Errorf("web: the cells table: %w", err)
	}
	if !have["key"] {
		return cellColumns{}, fmt.Errorf("web: the database has no cells table (is it a nianbao database?)")
	}
	return cellColumns{derived: have["derived"], path: have["path"], line: have["line"] && have["col_from"] && have["col_to"]}, nil
}

// select lists the optional columns for a SELECT on cells c, each a
// constant where the column is missing, in the order derived, path, line,
// col_from, col_to.
func (c cellColumns) selectList() string {
	s := ", 0"
	if c.derived {
		s = ", c.derived"
	}
	if c.path {
		s += ", c.path"
	} else {
		s += ", NULL"
	}
	if c.line {
		s += ", c.line, c.col_from, c.col_to"
	} else {
		s += ", NULL, NULL, NULL"
	}
	return s
}
