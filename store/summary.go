package store

import (
	"fmt"
	"io"
	"time"

	"github.com/nianbao/nianbao"
)

// Summary counts the outcomes of a batch for the closing report.
type Summary struct {
	Files        int // documents handled
	New          int // new documents (new versions included)
	NewVersions  int // new documents that superseded a report of the same organ and year
	SameFigures  int // new documents with the figures of a stored report (another format of it)
	Unchanged    int
	Reparsed     int
	OK           int // status ok
	WithFindings int // status findings
	Unsupported  int // status unsupported or needs_ocr
	NeedsOCR     int // status needs_ocr (also counted in Unsupported)
	Failed       int // status error, or the document could not be read or stored
	// Unidentified counts the reports read (ok or findings) in which no
	// organ or no year was found: they have no version, and v_reports
	// and the exports show them with what is missing.
	Unidentified int
	Stale        int // unchanged documents read by another parser version
	// Problems lists the failed and unsupported documents, the first
	// MaxProblems of them.
	Problems []Outcome
	// MoreProblems counts those left out of Problems.
	MoreProblems int
	Elapsed      time.Duration
}

// MaxProblems caps Summary.Problems, so that a batch of a million bad files
// does not hold a million outcomes; the store has them all.
const MaxProblems = 200

// Add counts one outcome.
func (s *Summary) Add(o Outcome) {
	s.Files++
	switch o.Result {
	case ResultNew:
		s.New++
		if o.SameAs != 0 {
			s.SameFigures++
		}
	case ResultNewVersion:
		s.New++
		s.NewVersions++
	case ResultUnchanged:
		s.Unchanged++
		if o.Stale {
			s.Stale++
		}
	case ResultReparsed:
		s.Reparsed++
	}
	problem := false
	switch {
	case o.Result == ResultFailed || o.Status == nianbao.StatusError:
		s.Failed++
		problem = true
	case o.Status == nianbao.StatusUnsupported || o.Status == nianbao.StatusNeedsOCR:
		s.Unsupported++
		if o.Status == nianbao.StatusNeedsOCR {
			s.NeedsOCR++
		}
		problem = true
	case o.Status == nianbao.StatusFindings:
		s.WithFindings++
	case o.Status == nianbao.StatusOK:
		s.OK++
	}
	if (o.Status == nianbao.StatusOK || o.Status == nianbao.StatusFindings) && o.Result != ResultFailed &&
		(o.Agency == "" || o.Year == 0) {
		s.Unidentified++
	}
	if problem {
		if len(s.Problems) < MaxProblems {
			s.Problems = append(s.Problems, o)
		} else {
			s.MoreProblems++
		}
	}
}

// Write prints the summary for a person.
func (s *Summary) Write(w io.Writer, dbPath string) error {
	rate := ""
	if secs := s.Elapsed.Seconds(); secs > 0 && s.Files > 0 {
		rate = fmt.Sprintf(", %.0f documents/s", float64(s.Files)/secs)
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("%d documents in %s%s → %s\n", s.Files, s.Elapsed.Round(time.Millisecond), rate, dbPath)
	p("  new            %6d", s.New)
	if s.NewVersions > 0 {
		p("  (%d new versions of a report already stored)", s.NewVersions)
	}
	if s.SameFigures > 0 {
		p("  (%d with the figures of a stored report: another format of it, no new version)", s.SameFigures)
	}
	p("\n")
	p("  unchanged      %6d", s.Unchanged)
	if s.Stale > 0 {
		p("  (%d read by an older parser: nianbao ingest --reparse)", s.Stale)
	}
	p("\n")
	if s.Reparsed > 0 {
		p("  reparsed       %6d\n", s.Reparsed)
	}
	p("  ok             %6d\n", s.OK)
	p("  with findings  %6d\n", s.WithFindings)
	p("  no organ/year  %6d", s.Unidentified)
	if s.Unidentified > 0 {
		p("  (read, but no organ or no year found: in v_reports and the exports, with what is missing)")
	}
	p("\n")
	p("  unsupported    %6d", s.Unsupported)
	if s.NeedsOCR > 0 {
		p("  (%d need OCR)", s.NeedsOCR)
	}
	p("\n")
	p("  failed         %6d\n", s.Failed)
	for _, o := range s.Problems {
		why := o.Reason
		if o.Err != nil {
			why = o.Err.Error()
		}
		status := string(o.Status)
		if o.Result == ResultFailed {
			status = "failed"
		}
		p("  %-11s %s: %s\n", status, o.Source, why)
	}
	if s.MoreProblems > 0 {
		p("  … and %d more (nianbao reports --status error,unsupported,needs_ocr)\n", s.MoreProblems)
	}
	_, err := fmt.Fprint(w)
	return err
}
