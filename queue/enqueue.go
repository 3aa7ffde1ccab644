package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/nianbao/nianbao/crawl"
	"github.com/nianbao/nianbao/store"
)

// NewRun names a crawl run: a URL is fetched once a run.
func NewRun(now time.Time) string { return now.UTC().Format("20060102T150405.000Z") }

// EnqueueCrawl enqueues a fetch job for each site's start URL in run; the
// workers follow the links from there, fetching at most maxPages URLs of a
// site (its own MaxPages when set; 0: crawl.DefaultMaxPages). It returns
// how many were new (a site already enqueued in this run is not enqueued
// twice).
func (c *Client) EnqueueCrawl(ctx context.Context, run string, sites []crawl.Site, maxPages int) (int, error) {
	params := make([]river.InsertManyParams, 0, len(sites))
	for _, s := range sites {
		start, err := crawl.StartURL(s.Start)
		if err != nil {
			return 0, err
		}
		a := FetchArgs{URL: start, Page: store.KindListing, Site: start, Hosts: s.Hosts,
			Division: crawl.SiteDivision(s), Run: run, MaxPages: maxPages}
		if s.MaxPages > 0 {
			a.MaxPages = s.MaxPages
		}
		if s.Delay != nil {
			a.Delay = &Duration{*s.Delay}
		}
		params = append(params, river.InsertManyParams{Args: a})
	}
	n, err := c.insert(ctx, params)
	if err != nil {
		return n, fmt.Errorf("enqueue crawl %s: %w", run, err)
	}
	return n, nil
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
