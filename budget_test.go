package nianbao_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao"
)

func TestBudgetSet(t *testing.T) {
	b := nianbao.DefaultBudget()
	for _, s := range []string{"time=30s", "stream=1MB", "decoded=2GiB", "repair=300MB", "objects=5,000", "pages=20", "tables=7", "cells=9", "text=4KB"} {
		if err := b.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	want := nianbao.Budget{Time: 30 * time.Second, StreamBytes: 1 << 20, DocBytes: 2 << 30, RepairMemory: 300 << 20,
		Objects: 5000, Pages: 20, Tables: 7, Cells: 9, Text: 4 << 10}
	if b != want {
		t.Errorf("got %+v, want %+v", b, want)
	}
	for _, bad := range []string{"time", "time=0s", "tables=-1", "stream=lots", "colour=red", "pages=0"} {
		if err := b.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
}

func TestBudgetOf(t *testing.T) {
	if got := nianbao.BudgetOf(context.Background()); got != nianbao.DefaultBudget() {
		t.Errorf("no budget in ctx: %+v, want the default", got)
	}
	// Zero fields take the defaults.
	got := nianbao.BudgetOf(nianbao.WithBudget(context.Background(), nianbao.Budget{Tables: 3}))
	want := nianbao.DefaultBudget()
	want.Tables = 3
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestLimitError(t *testing.T) {
	err := fmt.Errorf("read x.pdf: %w", &nianbao.LimitError{Limit: "stream", Max: 64 << 20})
	if !errors.Is(err, nianbao.ErrOverBudget) {
		t.Error("a LimitError is not ErrOverBudget")
	}
	if s := err.Error(); !strings.Contains(s, "more than 64MB") || !strings.Contains(s, "--limit stream=") {
		t.Errorf("message %q", s)
	}
	pe := &nianbao.PanicError{Reader: "PDF reader", Page: 3, Value: "runtime error: slice bounds out of range"}
	if s := pe.Error(); s != "internal error in the PDF reader on page 3" {
		t.Errorf("PanicError says %q", s)
	}
}

func ExampleBudget_Set() {
	b := nianbao.DefaultBudget()
	_ = b.Set("time=30s")
	_ = b.Set("tables=500")
	fmt.Println(b.Time, b.Tables)
	// Output: 30s 500
}
