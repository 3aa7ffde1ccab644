package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestZZFTSDetail(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, d := range []string{"full", "column", "none"} {
		if _, err := s.db.Exec(`CREATE VIRTUAL TABLE f_` + d + ` USING fts5(text, tokenize='trigram', detail=` + d + `)`); err != nil {
			t.Fatal(err)
		}
		for _, txt := range []string{"本机关全年主动公开政府信息1234条", "信息政府公开", "政府 信息 公开"} {
			s.db.Exec(`INSERT INTO f_`+d+`(text) VALUES (?)`, txt)
		}
		for _, q := range []string{"政府信息", "主动公开政府", `"政府信息公开"`, "信息公开", "政府信息 AND 公开"} {
			rows, err := s.db.Query(`SELECT rowid FROM f_`+d+` WHERE f_`+d+` MATCH ?`, q)
			if err != nil {
				t.Logf("%s %s: %v", d, q, err)
				continue
			}
			var ids []int
			for rows.Next() {
				var id int
				rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			t.Logf("%s %q: %v", d, q, ids)
		}
		rows, err := s.db.Query(`SELECT rowid FROM f_`+d+` WHERE text LIKE ?`, "%政府信息%")
		var ids []int
		for err == nil && rows.Next() {
			var id int
			rows.Scan(&id)
			ids = append(ids, id)
		}
		t.Logf("%s LIKE: %v %v", d, ids, err)
	}
}
