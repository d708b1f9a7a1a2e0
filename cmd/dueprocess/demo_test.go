package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dueprocess/dueprocess/internal/report"
	"github.com/dueprocess/dueprocess/internal/store"
)

// TestDemoShowsHongKongPause: the demo's report shows Hong Kong's
// disclosures dropping to zero from 2020-H2, and its pause.
func TestDemoShowsHongKongPause(t *testing.T) {
	ctx := context.Background()
	c := &cli{getenv: func(string) string { return "" }, stdout: &discard{}, stderr: &discard{}}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	n, err := seedDemo(ctx, c, db, 2020, now)
	if err != nil || n < 2000 {
		t.Fatalf("demo: %d requests, %v; want a few thousand", n, err)
	}
	if _, err := seedDemo(ctx, c, db, 2020, now); err == nil {
		t.Error("the demo filled a database that holds requests")
	}
	hk := func(period string) report.Row {
		counts, err := db.ReportCounts(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		pauses, _ := db.Pauses(ctx, "")
		rep, err := report.Build(period, counts, pauses, report.Checkpoint{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Rows {
			if r.Jurisdiction == "HK" {
				return r
			}
		}
		t.Fatalf("no Hong Kong row in %s", period)
		return report.Row{}
	}
	before, after := hk("2020-H1"), hk("2020-H2")
	if before.UserData.SomeData == 0 || after.UserData.SomeData != 0 || after.Paused == 0 {
		t.Errorf("Hong Kong: 2020-H1 answered %d; 2020-H2 answered %d, paused %d; want a drop to zero",
			before.UserData.SomeData, after.UserData.SomeData, after.Paused)
	}
	if later := hk("2024-H1"); later.ContentRestriction.Requests > 0 && later.ContentRestriction.ItemsActedOn == 0 && later.ContentRestriction.Requests > 3 {
		t.Errorf("Hong Kong's content restriction was not reviewed on: %+v", later.ContentRestriction)
	}
	pauses, _ := db.Pauses(ctx, "HK")
	if len(pauses) != 1 || !pauses[0].StartedAt.Equal(hkPause) {
		t.Errorf("HK pauses: %+v", pauses)
	}
	if _, err := demoStaff(ctx, db); err != nil {
		t.Fatal(err)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
