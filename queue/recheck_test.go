package queue

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nianbao/nianbao/ingest"
	"github.com/nianbao/nianbao/internal/pgtest"
	"github.com/nianbao/nianbao/internal/storetest"
	"github.com/nianbao/nianbao/store"
)

// TestRecheckOrgans: the recheck job checks the cross-year rules of the
// organs the parse jobs wrote under, not the whole store. Two organs have
// their cross-year findings taken away; a parse job writes a report of
// one of them; the recheck that follows gives that organ its findings
// back and leaves the other alone.
func TestRecheckOrgans(t *testing.T) {
	dsn := pgtest.DB(t)
	ctx := context.Background()
	st, q := openStoreQueue(t, dsn)
	opt := ingest.Options{Parse: storetest.FakeParse}
	organs := map[string]int64{}
	names := []string{"淮安市人民政府", "沭阳县发改局"}
	for _, name := range names {
		for _, d := range []struct {
			year int
			cell string
		}{{2023, "cell t3.carry_forward.total=4"}, {2024, "cell t3.carried.total=3"}} {
			out, err := ingest.One(ctx, st, ingest.Input{Source: fmt.Sprintf("%s-%d", name, d.year), Data: storetest.FakeDoc(name, d.year, d.cell)}, opt)
			if err != nil || out.OrganID == 0 {
				t.Fatalf("%s %d: %+v, %v", name, d.year, out, err)
			}
			organs[name] = out.OrganID
		}
	}
	crossYear := func(name string) int {
		t.Helper()
		return storetest.Count(t, st.Reader(), `SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report_id
			WHERE f.other_report_id IS NOT NULL AND r.organ_id = ?`, organs[name])
	}
	for _, name := range names {
		if n := crossYear(name); n != 1 {
			t.Fatalf("%s: %d cross-year findings, want 1", name, n)
		}
	}
	if _, err := q.Pool().Exec(ctx, `DELETE FROM findings WHERE other_report_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}

	// A 2026 report of the first organ, through a parse job.
	path := filepath.Join(t.TempDir(), "2026.txt")
	if err := os.WriteFile(path, storetest.FakeDoc(names[0], 2026, "cell t3.new.total=1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := q.EnqueueFile(ctx, st, path, 0); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Work(wctx, dsn, WorkerConfig{Store: st, ParseWorkers: 1, Parse: storetest.FakeParse,
			PollInterval: 100 * time.Millisecond, RecheckPeriod: time.Second})
	}()
	waitJobs(t, q, func(c Counts) bool { return c.Unfinished() == 0 && c[RecheckArgs{}.Kind()] != nil })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if a, b := crossYear(names[0]), crossYear(names[1]); a != 1 || b != 0 {
		t.Errorf("after the recheck: %d and %d cross-year findings, want 1 (the organ written) and 0 (the other, not rechecked)", a, b)
	}
	var pending int
	if err := q.Pool().QueryRow(ctx, `SELECT count(*) FROM nianbao_queue_recheck`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d organs still wait for a recheck", pending)
	}
}

// openStoreQueue opens the store and the queue of the database dsn (its
// schemas made), both closed when the test ends.
func openStoreQueue(t *testing.T, dsn string) (*store.Store, *Client) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q, err := Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return st, q
}

// waitJobs polls the queue's job counts every 50 ms until until says
// they are done, failing the test if they are not within a minute.
func waitJobs(t *testing.T, q *Client, until func(Counts) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := q.Jobs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if until(c) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs not done after a minute: %v", c)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
