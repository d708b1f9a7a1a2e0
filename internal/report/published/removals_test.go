package published

import (
	"os"
	"testing"

	"github.com/dueprocess/dueprocess"
)

const removalsDir = "../../../../shared/data/google-government-removals/"

func openRemovals(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(removalsDir + name)
	if err != nil {
		t.Skipf("Google's removals files are not here (%v); see /work/shared/data/README", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestGoogleRemovalsHongKong2020 reads Google's two removals files and
// finds Hong Kong's 2020: 18 requests to remove 122 items (2 from
// government officials and 10 from the police in the first half, 6 from
// the police in the second), and the same 18 requests by reason.
func TestGoogleRemovalsHongKong2020(t *testing.T) {
	figs, skipped, err := ParseGoogleRemovals(openRemovals(t, "google-government-removal-requests.csv"), "summary.csv")
	if err != nil {
		t.Fatal(err)
	}
	if skipped == 0 {
		t.Error("the Europol lines were not skipped")
	}
	var requests, items int64
	var police dueprocess.PublishedRemoval
	for _, f := range figs {
		if f.Jurisdiction == "HK" && (f.Period == "2020-H1" || f.Period == "2020-H2") {
			requests += f.Requests
			items += *f.Items
			if f.Period == "2020-H1" && f.Requester == "police" {
				police = f
			}
		}
	}
	if requests != 18 || items != 122 {
		t.Errorf("Hong Kong 2020: %d requests, %d items; Google published 18 and 122", requests, items)
	}
	want := map[dueprocess.ItemAction]int64{dueprocess.ItemRemoveUnderPolicy: 1, dueprocess.ItemNotFound: 1, dueprocess.ItemNotEnoughInfo: 8, dueprocess.ItemNoAction: 91}
	if police.Requests != 10 || *police.Items != 106 || len(police.Percent) != len(want) {
		t.Fatalf("Hong Kong police, 2020-H1: %+v", police)
	}
	for a, p := range want {
		if police.Percent[a] != p {
			t.Errorf("Hong Kong police, 2020-H1, %s: %d%%, want %d%%", a, police.Percent[a], p)
		}
	}

	detail, _, err := ParseGoogleRemovals(openRemovals(t, "google-government-detailed-removal-requests.csv"), "detailed.csv")
	if err != nil {
		t.Fatal(err)
	}
	var byReason int64
	criticism := int64(0)
	for _, f := range detail {
		if f.Jurisdiction == "HK" && (f.Period == "2020-H1" || f.Period == "2020-H2") {
			byReason += f.Requests
			if f.Reason == dueprocess.ReasonGovernmentCriticism {
				criticism += f.Requests
			}
		}
	}
	if byReason != 18 || criticism != 2 {
		t.Errorf("Hong Kong 2020 by reason: %d requests, %d for government criticism; Google published 18 and 2", byReason, criticism)
	}
	if _, _, err := ParseGoogleRemovals(openRemovals(t, "google-government-removal-requests-historical.csv"), "historical.csv"); err == nil {
		t.Error("the historical layout was read")
	}
}
