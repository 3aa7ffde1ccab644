package crawl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/nianbao/nianbao/store"
)

// RunSummary is what a run did on a site, read back from the frontier's
// rows (what each URL's last visit settled): the summary of a crawl run
// whose URLs were fetched by the queue's workers, which keep no summary
// of their own. The rows of run give the counts, failures and skipped
// URLs; those of earlier runs still waiting, the deferred URLs; the new
// and changed documents are listed with what their parse jobs read from
// them ("not parsed yet" until then). Bytes and OffSite are not known.
func RunSummary(ctx context.Context, st *store.Store, run int64, site Site) (Summary, error) {
	start, err := StartURL(site.Start)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Site: start, Name: site.Name}
	items, err := st.FrontierOf(ctx, start)
	if err != nil {
		return sum, err
	}
	for _, it := range items {
		if it.Run == run && sum.tally(it) {
			sum.Documents = append(sum.Documents, storedDocument(ctx, st, it))
		}
	}
	sum.DeferredURLs = deferrals(items, run, time.Now())
	sum.Deferred = len(sum.DeferredURLs)
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].URL < sum.Failures[j].URL })
	sort.Slice(sum.SkippedURLs, func(i, j int) bool { return sum.SkippedURLs[i].URL < sum.SkippedURLs[j].URL })
	return sum, nil
}

// tally counts a frontier row a run settled into sum; stored says it is a
// document the run stored new or changed.
func (sum *Summary) tally(it store.FrontierItem) (stored bool) {
	switch {
	case it.State == store.StateFailed:
		reason, detail, _ := strings.Cut(it.Error, ": ")
		sum.Failed++
		sum.Failures = append(sum.Failures, Failure{URL: it.URL, Reason: reason, Detail: detail})
		return false
	case it.Outcome == "robots.txt":
		sum.Skipped++
		sum.SkippedURLs = append(sum.SkippedURLs, Failure{URL: it.URL, Reason: "robots.txt"})
		return false
	case it.State != store.StateDone:
		return false
	case it.HTTPStatus == http.StatusNotModified:
		sum.NotModified++
	default:
		sum.Fetched++
	}
	switch it.Outcome {
	case "new":
		sum.New++
	case "changed":
		sum.Changed++
	case "unchanged", "not_modified":
		sum.Unchanged++
	default:
		return false
	}
	sum.Reports++
	return it.Outcome == "new" || it.Outcome == "changed"
}

// RunTotals counts what a run did on every site, by the rules of
// RunSummary, and the sites it visited: the log line of a run the queue's
// workers fetched.
func RunTotals(ctx context.Context, st *store.Store, run int64) (sum Summary, sites int, err error) {
	items, err := st.FrontierOf(ctx, "")
	if err != nil {
		return sum, 0, err
	}
	seen := map[string]bool{}
	for _, it := range items {
		if it.Run == run {
			seen[it.Site] = true
			sum.tally(it)
		}
	}
	return sum, len(seen), nil
}

// LastRun is the summary of the store's last crawl run on sites, read
// back from the frontier (RunSummary): `nianbao crawl --status`, for a run
// the queue's workers fetch. Finished is zero while the run is not over.
func LastRun(ctx context.Context, st *store.Store, sites []Site) (*Result, error) {
	var run int64
	var started, finished string
	err := st.Reader().QueryRowContext(ctx, `SELECT id, started_at, COALESCE(finished_at, '') FROM crawl_runs ORDER BY id DESC LIMIT 1`).
		Scan(&run, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errors.New("crawl status: no crawl run yet")
	}
	if err != nil {
		return nil, fmt.Errorf("crawl status: %w", err)
	}
	res := &Result{Run: run}
	res.Started, _ = time.Parse(time.RFC3339, started)
	res.Finished, _ = time.Parse(time.RFC3339, finished)
	for _, s := range sites {
		sum, err := RunSummary(ctx, st, run, s)
		if err != nil {
			return nil, err
		}
		res.Sites = append(res.Sites, sum)
	}
	return res, nil
}

// storedDocument is a new or changed document of a frontier row with what
// was read from it, when its report is stored.
func storedDocument(ctx context.Context, st *store.Store, it store.FrontierItem) Document {
	d := Document{URL: it.URL, Outcome: it.Outcome, Status: "not parsed yet"}
	var agency sql.NullString
	var year, version sql.NullInt64
	var reason sql.NullString
	err := st.Reader().QueryRowContext(ctx, `SELECT r.status, r.agency, r.year, r.version, COALESCE(r.reason, r.error)
		FROM documents d JOIN reports r ON r.document_id = d.id WHERE d.sha256 = ?`, it.SHA256).
		Scan(&d.Status, &agency, &year, &version, &reason)
	if err != nil {
		return d
	}
	d.Agency, d.Year, d.Version, d.Reason = agency.String, int(year.Int64), int(version.Int64), reason.String
	return d
}
