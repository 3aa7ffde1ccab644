package crawl

import (
	"context"
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
// URLs; those of earlier runs still waiting, the deferred URLs. Documents
// lists the new and changed documents by URL and outcome only (their
// reports are written by parse jobs); Bytes and OffSite are not known.
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
		if it.Run != run {
			continue
		}
		switch {
		case it.State == store.StateFailed:
			reason, detail, _ := strings.Cut(it.Error, ": ")
			sum.Failed++
			sum.Failures = append(sum.Failures, Failure{URL: it.URL, Reason: reason, Detail: detail})
			continue
		case it.Outcome == "robots.txt":
			sum.Skipped++
			sum.SkippedURLs = append(sum.SkippedURLs, Failure{URL: it.URL, Reason: "robots.txt"})
			continue
		case it.State != store.StateDone:
			continue
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
			continue
		}
		sum.Reports++
		if it.Outcome == "new" || it.Outcome == "changed" {
			sum.Documents = append(sum.Documents, Document{URL: it.URL, Outcome: it.Outcome})
		}
	}
	sum.DeferredURLs = deferrals(items, run, time.Now())
	sum.Deferred = len(sum.DeferredURLs)
	sort.Slice(sum.Failures, func(i, j int) bool { return sum.Failures[i].URL < sum.Failures[j].URL })
	sort.Slice(sum.SkippedURLs, func(i, j int) bool { return sum.SkippedURLs[i].URL < sum.SkippedURLs[j].URL })
	return sum, nil
}
