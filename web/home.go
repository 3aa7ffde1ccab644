package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/nianbao/nianbao/organ"
)

// homeData is the coverage of the store.
type homeData struct {
	AsOf      string        `json:"as_of"` // when the coverage was read
	Reports   int           `json:"reports"`
	Organs    int           `json:"organs"`
	Documents int           `json:"documents"`
	Years     []homeYear    `json:"years"`
	Levels    []homeLevel   `json:"levels"`
	Provinces []homeRegion  `json:"provinces"`
	Latest    []homeIngest  `json:"latest_ingests"`
	Crawls    []homeCrawl   `json:"crawl_runs"`
	Problems  []homeProblem `json:"not_read"`
}

type homeYear struct {
	Year     int `json:"year"`
	Reports  int `json:"reports"`
	Findings int `json:"with_findings"`
	OnTime   int `json:"on_time"`
}

type homeLevel struct {
	Level  string `json:"level"`
	Organs int    `json:"organs"`
}

type homeRegion struct {
	Code      string `json:"province_code"`
	Name      string `json:"province"`
	Organs    int    `json:"organs"`
	Reports   int    `json:"reports"`
	Divisions int    `json:"divisions_with_report"`
	// Of is the number of the province's cities and counties in the
	// bundled divisions table.
	Of int `json:"divisions"`
}

type homeIngest struct {
	ReportID int64  `json:"report_id"`
	Agency   string `json:"agency"`
	Year     *int64 `json:"year"`
	Status   string `json:"status"`
	Format   string `json:"format"`
	ParsedAt string `json:"parsed_at"`
}

type homeCrawl struct {
	ID       int64  `json:"id"`
	Started  string `json:"started_at"`
	Finished string `json:"finished_at"`
}

type homeProblem struct {
	Status  string `json:"status"`
	Reports int    `json:"reports"`
}

// homeCache keeps the coverage, which reads every current report: too
// much for every visit to a large store. When the database's files change
// (a commit changes the WAL file, a checkpoint the database) the coverage
// is read again in the background while visitors get the last one, so
// that no visit waits for it but the first.
type homeCache struct {
	mu         sync.Mutex
	stamp      string
	data       *homeData
	refreshing bool
}

func (s *Server) homePage(r *http.Request) (*result, error) {
	d, err := s.homeData(r.Context())
	if err != nil {
		return nil, err
	}
	return &result{Title: "年报 coverage", tmpl: "home", Data: d, Tables: homeTables(d)}, nil
}

// homeData returns the coverage: the cached one while the database's files
// are unchanged, or the last one while a new one is read.
func (s *Server) homeData(ctx context.Context) (*homeData, error) {
	stamp := s.dbStamp()
	s.home.mu.Lock()
	if d := s.home.data; d != nil {
		if s.home.stamp != stamp && !s.home.refreshing {
			s.home.refreshing = true
			go s.refreshHome(stamp)
		}
		s.home.mu.Unlock()
		return d, nil
	}
	s.home.mu.Unlock()
	d, err := s.readHome(ctx)
	if err != nil {
		return nil, err
	}
	s.home.mu.Lock()
	s.home.data, s.home.stamp = d, stamp
	s.home.mu.Unlock()
	return d, nil
}

// refreshHome reads the coverage again for the database as of stamp.
func (s *Server) refreshHome(stamp string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := s.readHome(ctx)
	s.home.mu.Lock()
	defer s.home.mu.Unlock()
	s.home.refreshing = false
	if err != nil {
		s.opt.Log.Warn("serve: coverage", "err", err)
		return
	}
	s.home.data, s.home.stamp = d, stamp
}

// dbStamp changes whenever the database does (store.ChangeStamp).
func (s *Server) dbStamp() string {
	return s.st.ChangeStamp(context.Background())
}

func (s *Server) readHome(ctx context.Context) (*homeData, error) {
	d := &homeData{AsOf: time.Now().UTC().Format(time.RFC3339)}
	q := func(query string, scan func(*sql.Rows) error) error {
		rows, err := s.db.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("home: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("home: %w", err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("home: %w", err)
		}
		return nil
	}
	err := q(`SELECT year, count(*), coalesce(sum(status = 'findings'), 0),
			coalesce(sum(published IS NOT NULL AND published <= (year + 1) || '-01-31'), 0)
		FROM reports WHERE current AND year IS NOT NULL GROUP BY year ORDER BY year`, func(rows *sql.Rows) error {
		var y homeYear
		if err := rows.Scan(&y.Year, &y.Reports, &y.Findings, &y.OnTime); err != nil {
			return err
		}
		d.Reports += y.Reports
		d.Years = append(d.Years, y)
		return nil
	})
	if err == nil {
		err = q(`SELECT coalesce(o.level, '(unplaced)'), count(*) FROM organs o
			WHERE EXISTS (SELECT 1 FROM reports r WHERE r.organ_id = o.id AND r.current)
			GROUP BY o.level ORDER BY CASE o.level WHEN '省' THEN 1 WHEN '市' THEN 2 WHEN '县' THEN 3 WHEN '乡' THEN 4 ELSE 5 END`, func(rows *sql.Rows) error {
			var l homeLevel
			if err := rows.Scan(&l.Level, &l.Organs); err != nil {
				return err
			}
			d.Organs += l.Organs
			d.Levels = append(d.Levels, l)
			return nil
		})
	}
	if err == nil {
		divs := divisionsPerProvince()
		err = q(`SELECT coalesce(o.province_code, ''), min(coalesce(o.province, '(unplaced)')), count(DISTINCT o.id), count(*),
				count(DISTINCT o.division_code)
			FROM reports r JOIN organs o ON o.id = r.organ_id WHERE r.current
			GROUP BY o.province_code ORDER BY o.province_code IS NULL, o.province_code`, func(rows *sql.Rows) error {
			var p homeRegion
			if err := rows.Scan(&p.Code, &p.Name, &p.Organs, &p.Reports, &p.Divisions); err != nil {
				return err
			}
			p.Of = divs[p.Code]
			d.Provinces = append(d.Provinces, p)
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT count(*) FROM documents`, func(rows *sql.Rows) error { return rows.Scan(&d.Documents) })
	}
	if err == nil {
		err = q(`SELECT r.id, coalesce(r.agency, ''), r.year, r.status, d.format, r.parsed_at
			FROM reports r JOIN documents d ON d.id = r.document_id ORDER BY r.id DESC LIMIT 10`, func(rows *sql.Rows) error {
			var i homeIngest
			var y sql.NullInt64
			if err := rows.Scan(&i.ReportID, &i.Agency, &y, &i.Status, &i.Format, &i.ParsedAt); err != nil {
				return err
			}
			i.Year = iptr(y)
			d.Latest = append(d.Latest, i)
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT status, count(*) FROM reports WHERE status NOT IN ('ok', 'findings') GROUP BY status ORDER BY status`, func(rows *sql.Rows) error {
			var p homeProblem
			if err := rows.Scan(&p.Status, &p.Reports); err != nil {
				return err
			}
			d.Problems = append(d.Problems, p)
			return nil
		})
	}
	if err == nil {
		err = q(`SELECT id, started_at, coalesce(finished_at, '') FROM crawl_runs ORDER BY id DESC LIMIT 5`, func(rows *sql.Rows) error {
			var c homeCrawl
			if err := rows.Scan(&c.ID, &c.Started, &c.Finished); err != nil {
				return err
			}
			d.Crawls = append(d.Crawls, c)
			return nil
		})
	}
	return d, err
}

// divisionsPerProvince counts the cities and counties of each province in
// the bundled divisions table.
var divisionsPerProvince = sync.OnceValue(func() map[string]int {
	out := map[string]int{}
	divs, err := organ.Bundled()
	if err != nil {
		return out
	}
	for _, p := range provinces(divs) {
		n := 0
		for _, c := range divs.Children(p.Code) {
			n += 1 + len(divs.Children(c.Code))
		}
		out[p.Code] = n
	}
	return out
})

func homeTables(d *homeData) []table {
	years := table{Name: "years", Columns: []string{"year", "reports", "with_findings", "on_time"}}
	for _, y := range d.Years {
		years.Rows = append(years.Rows, []any{y.Year, y.Reports, y.Findings, y.OnTime})
	}
	levels := table{Name: "levels", Columns: []string{"level", "organs"}}
	for _, l := range d.Levels {
		levels.Rows = append(levels.Rows, []any{l.Level, l.Organs})
	}
	provs := table{Name: "provinces", Columns: []string{"province_code", "province", "organs", "reports", "divisions_with_report", "divisions"}}
	for _, p := range d.Provinces {
		provs.Rows = append(provs.Rows, []any{p.Code, p.Name, p.Organs, p.Reports, p.Divisions, p.Of})
	}
	latest := table{Name: "latest_ingests", Columns: []string{"report_id", "agency", "year", "status", "format", "parsed_at"}}
	for _, i := range d.Latest {
		latest.Rows = append(latest.Rows, []any{i.ReportID, i.Agency, i.Year, i.Status, i.Format, i.ParsedAt})
	}
	crawls := table{Name: "crawl_runs", Columns: []string{"id", "started_at", "finished_at"}}
	for _, c := range d.Crawls {
		crawls.Rows = append(crawls.Rows, []any{c.ID, c.Started, c.Finished})
	}
	return []table{years, levels, provs, latest, crawls}
}

// provinces lists the provinces of a divisions table, by code.
func provinces(divs *organ.Table) []*organ.Division {
	var out []*organ.Division
	for c := 10; c < 100; c++ {
		if d := divs.Lookup(fmt.Sprint(c)); d != nil {
			out = append(out, d)
		}
	}
	return out
}
