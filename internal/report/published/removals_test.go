package published

import (
	"bytes"
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
	// The vocabularies are Google's: every reason and requester of the
	// files is one of ours (the parser refuses others), and every one of
	// ours is in the files.
	reasons, requesters := map[dueprocess.RemovalReason]bool{}, map[dueprocess.RequesterType]bool{}
	for _, f := range detail {
		reasons[f.Reason] = true
	}
	for _, f := range figs {
		requesters[f.Requester] = true
	}
	if len(reasons) != len(dueprocess.RemovalReasons) || len(requesters) != len(dueprocess.RequesterTypes) {
		t.Errorf("the files use %d reasons and %d requester types; we know %d and %d",
			len(reasons), len(requesters), len(dueprocess.RemovalReasons), len(dueprocess.RequesterTypes))
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

// FuzzParseGoogleRemovals feeds arbitrary bytes to the removals parser: it
// must not panic, must return figures or an error but not both, and every
// figure must name a jurisdiction, a half-year and either a requester or
// a reason.
func FuzzParseGoogleRemovals(f *testing.F) {
	f.Add([]byte("Period Ending,Country/Region,CLDR Territory Code,Requestor,Number of Requests,Items Requested To Be Removed,% Removed-Legal,% Removed-Policy,% Content Not Found,% Not Enough Information ,% No Action Taken,% Content Already Removed\n2020-06-30,Hong Kong,HK,Police,10,106,,1,1,8,91,\n"))
	f.Add([]byte("Period Ending,Country/Region,CLDR Territory Code,Product,Reason,Total\n2020-06-30,Hong Kong,HK,YouTube,Government Criticism,2\n,Europol,,YouTube,Violence,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		figs, _, err := ParseGoogleRemovals(bytes.NewReader(data), "fuzz.csv")
		if err != nil && figs != nil {
			t.Fatalf("figures and an error: %v", err)
		}
		for _, fig := range figs {
			if fig.Jurisdiction == "" || fig.Period == "" || (fig.Requester == "") == (fig.Reason == "") {
				t.Fatalf("a malformed figure: %+v", fig)
			}
		}
	})
}
