package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/store"
)

// Enqueued is what EnqueueCrawl put on the queue.
type Enqueued struct {
	// Run is the crawl run (crawl_runs); Resumed says it continues one
	// not finished yet (enqueued before, or a crawl killed).
	Run     int64
	Resumed bool
	// Sites counts the sites with a new fetch job, URLs the new fetch
	// jobs (a URL already queued in the run is not queued twice).
	Sites, URLs int
	// Deferred counts the URLs left alone because they failed in an
	// earlier run and their wait is not over.
	Deferred int
}

// EnqueueCrawl starts a crawl run in st's frontier (or resumes the one
// not finished) and enqueues a fetch job for each URL of each site that
// the run has not settled yet and that does not wait after failures — the
// start URL and every URL found by earlier runs, fetched with their
// validators (conditional GETs) — at most maxPages a site (its own
// MaxPages when set; 0: crawl.DefaultMaxPages). The workers follow the
// new links from there; a crawl-run job ends the run once no fetch job of
// it is left. A crawl in one process running on st refuses it
// (crawl.ErrLocked).
func (c *Client) EnqueueCrawl(ctx context.Context, st *store.Store, sites []crawl.Site, maxPages int) (*Enqueued, error) {
	unlock, err := crawl.LockStore(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	run, resumed, err := st.BeginCrawl(ctx)
	if err != nil {
		return nil, err
	}
	res := &Enqueued{Run: run, Resumed: resumed}
	runName := strconv.FormatInt(run, 10)
	for _, s := range sites {
		start, err := crawl.StartURL(s.Start)
		if err != nil {
			return res, err
		}
		limit := maxPages
		if s.MaxPages > 0 {
			limit = s.MaxPages
		}
		if limit <= 0 {
			limit = crawl.DefaultMaxPages
		}
		if err := st.AddToFrontier(ctx, start, []store.FrontierLink{{URL: start, Kind: store.KindListing}}); err != nil {
			return res, err
		}
		due, err := st.DueInFrontier(ctx, start, run, limit)
		if err != nil {
			return res, err
		}
		deferred, err := st.DeferredInFrontier(ctx, start, run)
		if err != nil {
			return res, err
		}
		res.Deferred += deferred
		a := FetchArgs{Site: start, Hosts: s.Hosts, Division: crawl.SiteDivision(s), Run: runName, MaxPages: limit}
		if s.Delay != nil {
			a.Delay = &Duration{*s.Delay}
		}
		params := make([]river.InsertManyParams, 0, len(due))
		for _, it := range due {
			job := a
			job.URL, job.Page, job.Title = it.URL, it.Kind, it.Title
			params = append(params, river.InsertManyParams{Args: job})
		}
		n, err := c.insert(ctx, params)
		if err != nil {
			return res, fmt.Errorf("enqueue crawl run %d: %w", run, err)
		}
		res.URLs += n
		if n > 0 {
			res.Sites++
		}
	}
	// The run's end, checked after the fetch jobs are queued.
	opts := CrawlRunArgs{}.InsertOpts()
	opts.ScheduledAt = time.Now().Add(time.Second)
	if _, err := c.insert(ctx, []river.InsertManyParams{{Args: CrawlRunArgs{Run: run}, InsertOpts: &opts}}); err != nil {
		return res, fmt.Errorf("enqueue crawl run %d: %w", run, err)
	}
	return res, nil
}

// EnqueueFile archives a local file in st and enqueues its parse job
// (source: path as given). maxSize refuses larger files (0: no limit).
// It says whether the job is new.
func (c *Client) EnqueueFile(ctx context.Context, st *store.Store, path string, maxSize int64) (bool, error) {
	data, err := readFile(path, maxSize)
	if err != nil {
		return false, err
	}
	h := sha256.Sum256(data)
	sum := hex.EncodeToString(h[:])
	if err := st.ArchivePut(sum, data); err != nil {
		return false, fmt.Errorf("enqueue %s: %w", path, err)
	}
	n, err := c.insert(ctx, []river.InsertManyParams{{Args: ParseArgs{SHA256: sum, Source: path}}})
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", path, err)
	}
	return n == 1, nil
}

// readFile reads a file of at most maxSize bytes (0: any size).
func readFile(path string, maxSize int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if maxSize > 0 {
		r = io.LimitReader(f, maxSize+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if maxSize > 0 && int64(len(data)) > maxSize {
		return nil, fmt.Errorf("read %s: larger than %d bytes (--max-size)", path, maxSize)
	}
	return data, nil
}
