// Package nianbao holds the domain of the project: the annual report of an
// organ (Report), its figures (Cell) under the canonical keys of both national
// templates, the arithmetic findings (Finding), and the format-neutral document
// model (Document) that every extractor produces and the parser reads.
//
// The canonical keys are the output contract: every interface (JSON, the
// store, exports) uses exactly the keys listed by Schema.
package nianbao

import "encoding/json"

// Template is the national template a report follows.
type Template string

const (
	TemplateUnknown Template = ""
	Template2019    Template = "2019"    // 国办公开办函〔2019〕60号
	Template2021    Template = "2021"    // 国办公开办函〔2021〕30号
	TemplatePre2019 Template = "pre2019" // older provincial formats: not supported
)

// Status says how far a document got.
type Status string

const (
	StatusOK          Status = "ok"          // every table found, every rule holds
	StatusFindings    Status = "findings"    // parsed, but the report breaks rules or has uncertain cells
	StatusUnsupported Status = "unsupported" // readable but not a supported report (pre-2019, no tables, image only)
	StatusNeedsOCR    Status = "needs_ocr"   // an image-only document and no OCR engine available
	StatusError       Status = "error"       // could not be read at all
)

// Format is the kind of document a report was read from.
type Format string

const (
	FormatHTML    Format = "html"
	FormatText    Format = "text"
	FormatPDF     Format = "pdf"
	FormatDOCX    Format = "docx"
	FormatDOC     Format = "doc"
	FormatUnknown Format = "unknown"
)

// Report is everything read from one document.
type Report struct {
	Source string `json:"source"` // path or URL
	SHA256 string `json:"sha256"` // of the document bytes
	Size   int64  `json:"size"`
	Format Format `json:"format"`
	Agency string `json:"agency"` // the organ (机关) the report is about
	Year   int    `json:"year"`   // the year the figures cover
	Title  string `json:"title,omitempty"`
	// Published is the date the document says it was published
	// (YYYY-MM-DD), from a 发布日期 line ("page"), the page's or PDF's
	// metadata ("meta", "pdf"): PublishedFrom says which. Empty when it
	// does not say; the store may know from the fetch.
	Published     string   `json:"published,omitempty"`
	PublishedFrom string   `json:"published_from,omitempty"`
	Template      Template `json:"template"`
	Status        Status   `json:"status"`
	// Reason explains an unsupported, needs_ocr or error status in one line.
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`

	// Cells holds every canonical cell of the report's template, in schema
	// order; a cell the report does not print has a nil Value and a Blank
	// reason. Extra holds rows and columns some provinces add.
	Cells    []Cell    `json:"-"`
	Extra    []Cell    `json:"-"`
	Findings []Finding `json:"findings"`
	// Sections holds the prose of sections 一, 五 and 六 keyed "1", "5", "6".
	Sections map[string]string `json:"sections,omitempty"`
	// Parser identifies the parser version that produced the report.
	Parser string `json:"parser,omitempty"`
	// Engines lists the readings made of the document, in the order they
	// were made: a PDF goes through engines until one reads it whole.
	Engines []EngineRun `json:"engines,omitempty"`
}

// EngineRun records one reading of a document: the engine, what its
// reading gave, and whether the report kept it. The engines after the last
// one listed did not run.
type EngineRun struct {
	Engine string     `json:"engine"`
	Layout LayoutKind `json:"layout,omitempty"`
	// Error says why the engine gave no document (not installed, failed).
	Error string `json:"error,omitempty"`
	// Status is that of the engine's reading once parsed.
	Status Status `json:"status,omitempty"`
	// Incomplete says what the reading lacks that another engine might
	// read (a table, rows, unreadable figures); empty when the reading is
	// whole, and then no further engine runs: a broken rule of a whole
	// reading is the report's own.
	Incomplete string `json:"incomplete,omitempty"`
	Kept       bool   `json:"kept,omitempty"`
	// Notes are what the engine noticed and could not resolve (a page it
	// could not read, a charset fallback, OCR stopped at its time limit),
	// one per line: Document.Notes of its reading.
	Notes []string `json:"notes,omitempty"`
}

// Cell is one figure of a report.
type Cell struct {
	Key   string   `json:"key"`
	Label string   `json:"label,omitempty"` // for extra cells: the printed row/column labels
	Value *float64 `json:"value"`           // nil when the document leaves it blank
	Raw   string   `json:"raw,omitempty"`   // the printed text
	// Unit is the unit the raw text was printed in when it differs from the
	// canonical one (e.g. "元" for an amount converted to 万元).
	Unit string `json:"unit,omitempty"`
	// Blank says why Value is nil: "blank", "dash", "slash", "无", "missing"
	// (the report has no such cell) or "unreadable".
	Blank string `json:"blank,omitempty"`
	// Uncertain is set when the figure was read but may be wrong (OCR, a
	// recovered digit split); it gives the reason.
	Uncertain string      `json:"uncertain,omitempty"`
	Source    *Provenance `json:"source,omitempty"`
}

// Provenance says where in the document a figure was printed: the grid
// position (after merged cells are expanded) for programs, and for people
// what they can find in the file: the element path of an HTML cell, the
// line and columns of a text cell, the page and box of a PDF cell. Its JSON
// has every field, null where the format has none.
type Provenance struct {
	Table int    `json:"table"` // index of the grid in the document (0-based)
	Row   int    `json:"row"`
	Col   int    `json:"col"`
	Page  int    `json:"page"` // 1-based: PDF, or a text with form feeds; 0 none
	Box   *Box   `json:"box"`
	Raw   string `json:"raw"`
	// Engine is the extractor that produced the grid.
	Engine string `json:"engine"`
	// Path is the element path of an HTML cell in the page's markup as
	// written, e.g. html>body>div[2]>table[1]>tr[5]>td[3] (1-based among
	// the siblings of the same name; a browser's DOM adds the <tbody>
	// a page leaves out).
	Path string `json:"path"`
	// Line is the 1-based line of a text cell, ColFrom and ColTo the first
	// and last character of its text on that line (1-based, inclusive, as
	// an editor numbers columns; 0 when tabs or pipes placed it). For a
	// PDF read through `pdftotext -layout`, they are of that text.
	Line    int `json:"line"`
	ColFrom int `json:"col_from"`
	ColTo   int `json:"col_to"`
}

// MarshalJSON writes every field, the ones a format does not have as null
// (page 0, no box, line 0), so that a reader never meets a missing key.
func (p Provenance) MarshalJSON() ([]byte, error) {
	n := func(v int) *int {
		if v == 0 {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Table   int    `json:"table"`
		Row     int    `json:"row"`
		Col     int    `json:"col"`
		Page    *int   `json:"page"`
		Box     *Box   `json:"box"`
		Raw     string `json:"raw"`
		Engine  string `json:"engine"`
		Path    string `json:"path"`
		Line    *int   `json:"line"`
		ColFrom *int   `json:"col_from"`
		ColTo   *int   `json:"col_to"`
	}{p.Table, p.Row, p.Col, n(p.Page), p.Box, p.Raw, p.Engine, p.Path, n(p.Line), n(p.ColFrom), n(p.ColTo)})
}

// Finding is one broken rule of the arithmetic (勾稽关系) or another problem
// of the report itself. Figures are never changed; findings point at them.
type Finding struct {
	Rule   string   `json:"rule"`  // e.g. "t3.balance", see the Rule constants
	Cells  []string `json:"cells"` // the canonical keys involved
	Detail string   `json:"detail"`
	// Expected and Actual are the two sides of a broken equation, blank
	// cells counting 0: Expected the side with the total (rules 2–4), the
	// applications in (rule 1: new + carried), the earlier year's figure
	// (rules 5, 6); Difference is Actual − Expected. All three are nil for
	// a finding that is no equation (missing_table, uncertain …).
	Expected   *float64 `json:"expected"`
	Actual     *float64 `json:"actual"`
	Difference *float64 `json:"difference"`
}

// Rules of docs/template.md that one report can be checked against.
const (
	RuleBalance      = "t3.balance"       // rule 1: new + carried = outcome_total + carry_forward
	RuleOutcomeSum   = "t3.outcome_sum"   // rule 2: outcome_total = sum of outcome rows
	RuleApplicantSum = "t3.applicant_sum" // rule 3: total = sum of applicant columns
	RuleReviewSum    = "t4.row_sum"       // rule 4: total = upheld + corrected + other + pending
	RuleMissingTable = "missing_table"    // a table of the template was not found
	RuleTruncated    = "truncated"        // the document ends early (inside a table, a PDF without its trailer): the cells not read
	RuleUncertain    = "uncertain"        // a figure could not be read with certainty
	RuleDuplicate    = "duplicate_row"    // a row or cell printed twice with different figures
)

// Value returns the cell under key, and whether the report has it.
func (r *Report) Value(key string) (float64, bool) {
	c := r.Cell(key)
	if c == nil || c.Value == nil {
		return 0, false
	}
	return *c.Value, true
}

// Cell returns the canonical or extra cell under key, or nil.
func (r *Report) Cell(key string) *Cell {
	for i := range r.Cells {
		if r.Cells[i].Key == key {
			return &r.Cells[i]
		}
	}
	for i := range r.Extra {
		if r.Extra[i].Key == key {
			return &r.Extra[i]
		}
	}
	return nil
}

// F returns a pointer to v, for cell values.
func F(v float64) *float64 { return &v }
