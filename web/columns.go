package web

import (
	"context"
	"fmt"

	"github.com/nianbao/nianbao/store"
)

// cellColumns says which of the newer provenance columns the store's cells
// table has: a database made by an older nianbao lacks them, and the view
// shows what there is rather than refusing it.
type cellColumns struct {
	derived bool // a figure nianbao computed (the （六） sum)
	path    bool // the element path of an HTML cell
	line    bool // the line (and col_from, col_to) of a text cell
}

func readCellColumns(ctx context.Context, st *store.Store) (cellColumns, error) {
	names, err := st.Columns(ctx, "cells")
	if err != nil {
		return cellColumns{}, fmt.Errorf("web: the cells table: %w", err)
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
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
