package store

import (
	"context"
	"testing"
)

// RecheckOrgans checks the cross-year rules of the given organs only: the
// findings taken away from two organs come back for the organ rechecked,
// not for the other.
func TestRecheckOrgans(t *testing.T) {
	forBackends(t, func(t *testing.T, be backend) {
		s := be.open(t, nil)
		ingest := ingester(t, s)
		var organs []int64
		for _, name := range []string{"淮安市人民政府", "沭阳县发改局"} {
			ingest(name+"2023", fakeDoc(name, 2023, "cell t3.carry_forward.natural=4", "cell t3.carry_forward.total=4"))
			o := ingest(name+"2024", fakeDoc(name, 2024, "cell t3.carried.natural=3", "cell t3.carried.total=3"))
			if o.OrganID == 0 || o.Result != ResultNew {
				t.Fatalf("%s: outcome %+v, want a new report with its organ", name, o)
			}
			organs = append(organs, o.OrganID)
		}
		crossYear := func(organ int64) int {
			t.Helper()
			return count(t, s.rdb, `SELECT count(*) FROM findings f JOIN reports r ON r.id = f.report_id
				WHERE f.other_report_id IS NOT NULL AND r.organ_id = ?`, organ)
		}
		for _, o := range organs {
			if n := crossYear(o); n != 2 {
				t.Fatalf("organ %d: %d cross-year findings, want 2", o, n)
			}
		}
		if _, err := s.db.Exec(`DELETE FROM findings WHERE other_report_id IS NOT NULL`); err != nil {
			t.Fatal(err)
		}
		n, err := s.RecheckOrgans(context.Background(), []int64{organs[0], organs[0], 0})
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("%d organs and years rechecked, want 2 (one organ, 2023 and 2024)", n)
		}
		if a, b := crossYear(organs[0]), crossYear(organs[1]); a != 2 || b != 0 {
			t.Errorf("after rechecking organ %d: %d and %d cross-year findings, want 2 and 0", organs[0], a, b)
		}
		if n, err := s.RecheckOrgans(context.Background(), nil); err != nil || n != 0 {
			t.Errorf("no organs: %d, %v", n, err)
		}
	})
}
