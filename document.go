package nianbao

// Document is the format-neutral model every extractor produces: the text
// blocks and tables of a document in reading order. The parser reads only
// this model, so a report gives the same cells whether it came as HTML, text
// or PDF.
type Document struct {
	Format Format `json:"format"`
	Title  string `json:"title,omitempty"` // <title>, PDF metadata title
	// Published is the publication date the document's metadata states,
	// as written there (a web page's PubDate meta); the parser reads it.
	Published string  `json:"published,omitempty"`
	Blocks    []Block `json:"blocks"`
	Pages     int     `json:"pages,omitempty"` // PDF only
	// Notes carries what the extractor noticed and could not resolve (a
	// charset fallback, a page that failed, an engine switch), one per line.
	Notes []string `json:"notes,omitempty"`
	// Truncated says why the document is known to end early: it stops
	// inside a table (HTML with a table left open and no end of page, text
	// whose last line is a table row, a character cut in two) or it is a
	// PDF without its trailer. The parser then names the cells not read.
	Truncated string `json:"truncated,omitempty"`
}

// Reading is one engine's reading of a document. A PDF has several, one
// per engine, in order of cost (extract.Readings); the other formats have
// one.
type Reading struct {
	// Engine names the engine, as every table of Doc is labelled: "html",
	// "text", "ledongthuc", "pdfcpu+ledongthuc" (the native engine on the
	// copy pdfcpu repaired or decrypted), "pdftotext", "pdftotext-layout",
	// "ocr"; "pdfcpu" for a failed repair.
	Engine string
	// Layout is how the engine finds the cells of a table.
	Layout LayoutKind
	// Doc is nil when the engine could not run or failed; Err then says
	// why (not installed, encrypted, damaged, needs OCR …).
	Doc *Document
	Err error
}

// Block is a paragraph of text or a table, never both.
type Block struct {
	Text  string `json:"text,omitempty"`
	Table *Table `json:"table,omitempty"`
	Page  int    `json:"page,omitempty"` // 1-based, PDF only
	// Image marks a block that is an image (a "图片版" table, a scanned page);
	// Text then holds its alt text or file name if any.
	Image bool `json:"image,omitempty"`
}

// Table is a grid of cells with merged cells expanded: every position of the
// grid holds a Cell, and the positions a merged cell covers all point back to
// its origin through OriginRow/OriginCol, so Rows[r][c] is never nil and
// every row has the same length.
type Table struct {
	Index int           `json:"index"` // position among the document's tables (0-based)
	Rows  [][]*GridCell `json:"rows"`
	// Layout says how the cells were found; the parser reads a table by it
	// (a blank text row is a heading, a blank grid row is data).
	Layout LayoutKind `json:"layout,omitempty"`
	// Engine is provenance only, e.g. "html", "text", "ledongthuc",
	// "pdftotext", "pdftotext-layout", "ocr": the parser never reads it.
	Engine string `json:"engine,omitempty"`
}

// LayoutKind is how an extractor found the cells of a table.
type LayoutKind string

const (
	// LayoutUnknown: not said; the parser reads the table as a grid.
	LayoutUnknown LayoutKind = ""
	// LayoutGrid: cells printed as markup (HTML <td>, DOCX), spans declared.
	LayoutGrid LayoutKind = "grid"
	// LayoutText: columns of a text (tabs, pipes, runs of spaces, the text
	// of `pdftotext -layout`); a blank cell is not printed at all, so a row
	// of blanks cannot be told from a label on a line of its own.
	LayoutText LayoutKind = "text"
	// LayoutGlyphs: glyphs placed by their position into cells bounded by
	// ruling lines (PDF: the native reader, poppler's words).
	LayoutGlyphs LayoutKind = "glyphs"
	// LayoutOCR: cells recognised from a page image.
	LayoutOCR LayoutKind = "ocr"
)

// GridCell is one position of a table grid.
type GridCell struct {
	Text string `json:"text"` // the raw text, whitespace collapsed
	Row  int    `json:"row"`
	Col  int    `json:"col"`
	// OriginRow/OriginCol give the top-left position of the merged cell this
	// position belongs to; equal to Row/Col for an unmerged cell or the origin.
	OriginRow int  `json:"origin_row"`
	OriginCol int  `json:"origin_col"`
	RowSpan   int  `json:"rowspan"` // of the merged cell, ≥1
	ColSpan   int  `json:"colspan"` // of the merged cell, ≥1
	Page      int  `json:"page,omitempty"`
	Box       *Box `json:"box,omitempty"`
	// Uncertain is set by extractors that guessed (OCR, a recovered split).
	Uncertain string `json:"uncertain,omitempty"`
	// Pad marks a position the source did not print: a short row padded
	// to the width of the grid. An empty cell that was printed is not Pad.
	Pad bool `json:"pad,omitempty"`
	// Line, X0 and X1 place a cell of a text table (LayoutText): the
	// 1-based line it was printed on and, in columns aligned with spaces,
	// its first and past-the-last character column on that line (X1 = 0
	// when tabs or pipes placed it). The parser matches such a figure to
	// a column by where it stands, since a blank is not printed at all.
	Line int `json:"line,omitempty"`
	X0   int `json:"x0,omitempty"`
	X1   int `json:"x1,omitempty"`
	// C0 and C1 are X0 and X1 counted in characters always (X0 and X1 may
	// count display width): the columns an editor shows, for provenance.
	C0 int `json:"c0,omitempty"`
	C1 int `json:"c1,omitempty"`
	// Path is the element path of a cell of markup (HTML), e.g.
	// html>body>div[2]>table[1]>tr[5]>td[3]: where a person finds it in
	// the file. Provenance only: the parser never reads it.
	Path string `json:"path,omitempty"`
}

// IsOrigin reports whether the cell is the top-left of its merged area (or
// an unmerged cell).
func (c *GridCell) IsOrigin() bool { return c.Row == c.OriginRow && c.Col == c.OriginCol }

// Box is a rectangle on a PDF page in points, origin top-left.
type Box struct {
	X0 float64 `json:"x0"`
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	Y1 float64 `json:"y1"`
}

// NewGrid builds a Table from rows of spanned cells as markup gives them
// (HTML <td rowspan colspan>, DOCX gridSpan/vMerge): it places each cell at
// the first free position, expands spans, and pads short rows with empty
// cells so that the grid is rectangular.
func NewGrid(rows [][]SpanCell) *Table {
	// First the shape: where each declared cell lands, and the width.
	type placed struct {
		sc     *SpanCell
		r, c   int
		rs, cs int
	}
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	var (
		places = make([]placed, 0, n)
		// Positions taken by a rowspan from a row above; most grids have
		// none, and then the map is never made.
		occupied map[[2]int]bool
		width    int
	)
	for r := range rows {
		c := 0
		for i := range rows[r] {
			sc := &rows[r][i]
			for occupied[[2]int{r, c}] {
				c++
			}
			rs, cs := max(sc.RowSpan, 1), max(sc.ColSpan, 1)
			// A rowspan beyond the table would invent rows; clip it.
			if r+rs > len(rows) {
				rs = len(rows) - r
			}
			// Guard against absurd spans in hostile markup.
			cs = min(cs, 256)
			for dr := 1; dr < rs; dr++ {
				if occupied == nil {
					occupied = map[[2]int]bool{}
				}
				for dc := 0; dc < cs; dc++ {
					occupied[[2]int{r + dr, c + dc}] = true
				}
			}
			places = append(places, placed{sc, r, c, rs, cs})
			width = max(width, c+cs)
			c += cs
		}
	}
	// Then the cells, all in one allocation: a grid has hundreds.
	slab := make([]GridCell, len(rows)*width)
	ptrs := make([]*GridCell, len(rows)*width)
	grid := make([][]*GridCell, len(rows))
	for r := range grid {
		grid[r] = ptrs[r*width : (r+1)*width : (r+1)*width]
	}
	for _, p := range places {
		for dr := 0; dr < p.rs; dr++ {
			for dc := 0; dc < p.cs; dc++ {
				r, c := p.r+dr, p.c+dc
				if grid[r][c] != nil {
					continue // overlapping spans: first writer wins
				}
				cell := &slab[r*width+c]
				*cell = GridCell{
					Text: p.sc.Text, Row: r, Col: c,
					OriginRow: p.r, OriginCol: p.c, RowSpan: p.rs, ColSpan: p.cs,
					Page: p.sc.Page, Box: p.sc.Box, Uncertain: p.sc.Uncertain, Path: p.sc.Path,
				}
				grid[r][c] = cell
			}
		}
	}
	for r := range grid {
		for c := range grid[r] {
			if grid[r][c] == nil {
				cell := &slab[r*width+c]
				*cell = GridCell{Row: r, Col: c, OriginRow: r, OriginCol: c, RowSpan: 1, ColSpan: 1, Pad: true}
				grid[r][c] = cell
			}
		}
	}
	if width == 0 {
		// No cell at all: keep the rows, empty, as before.
		for r := range grid {
			grid[r] = nil
		}
	}
	return &Table{Rows: grid}
}

// NewPlainGrid builds a Table from rows of cell texts with no merged cells
// (a text table): the same grid NewGrid makes of cells with no spans,
// without the bookkeeping spans need.
func NewPlainGrid(rows [][]string) *Table {
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	grid := make([][]*GridCell, len(rows))
	if width == 0 {
		return &Table{Rows: grid} // no cell at all: the rows, empty, as NewGrid
	}
	slab := make([]GridCell, len(rows)*width)
	ptrs := make([]*GridCell, len(rows)*width)
	for r, row := range rows {
		grid[r] = ptrs[r*width : (r+1)*width : (r+1)*width]
		for c := range width {
			cell := &slab[r*width+c]
			*cell = GridCell{Row: r, Col: c, OriginRow: r, OriginCol: c, RowSpan: 1, ColSpan: 1}
			if c < len(row) {
				cell.Text = row[c]
			} else {
				cell.Pad = true
			}
			grid[r][c] = cell
		}
	}
	return &Table{Rows: grid}
}

// SpanCell is a cell as markup declares it, before spans are expanded.
type SpanCell struct {
	Text      string
	RowSpan   int
	ColSpan   int
	Page      int
	Box       *Box
	Uncertain string
	Path      string // the element path, see GridCell.Path
}

// Width returns the number of columns of the grid.
func (t *Table) Width() int {
	if len(t.Rows) == 0 {
		return 0
	}
	return len(t.Rows[0])
}

// Tables returns the number of tables among the blocks: the Index the next
// table gets.
func (d *Document) Tables() int {
	n := 0
	for _, b := range d.Blocks {
		if b.Table != nil {
			n++
		}
	}
	return n
}
