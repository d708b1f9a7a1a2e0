package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden charts in testdata")

// wellFormed parses the whole document as XML.
func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
}

func golden(t *testing.T, name string, svg []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, svg, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(svg, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/report/chart -update to accept): %v", name, err)
	}
}

func TestLine(t *testing.T) {
	c := &Line{Title: "Hong Kong: requests and share answered", Desc: "Half-years 2019 to 2021",
		Labels: []string{"2019-H1", "2019-H2", "2020-H1", "2020-H2", "2021-H1"},
		Series: []Series{{"Requests", []float64{241, 260, 180, 40, 12}}, {"Answered (%)", []float64{46, 48, 24, 0, math.NaN()}}},
		Marks:  []Mark{{"Hong Kong pause", 3}}, YLabel: "requests"}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	s := string(svg)
	if strings.Count(s, "<path ") != 2 || strings.Count(s, "<circle") != 9 || !strings.Contains(s, "Hong Kong pause") ||
		!strings.Contains(s, `role="img"`) || !strings.Contains(s, "<title>Requests, 2019-H1: 241</title>") {
		t.Errorf("line chart:\n%s", s)
	}
	golden(t, "line.svg", svg)
}

func TestBar(t *testing.T) {
	c := &Bar{Title: "Requests by jurisdiction, 2020-H2", Desc: "answered and not",
		Labels: []string{"United States", "Hong Kong", "<script>alert(1)</script> & \"Co\""},
		Series: []Series{{"Answered", []float64{34000, 0, 1}}, {"Not answered", []float64{10000, 42, 0}}}}
	svg, err := c.SVG()
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	s := string(svg)
	if strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") || strings.Count(s, "<rect ") != 1+2+4 ||
		!strings.Contains(s, ">44,000</text>") {
		t.Errorf("bar chart:\n%s", s)
	}
	golden(t, "bar.svg", svg)
}

func TestEmptyAndErrors(t *testing.T) {
	for _, c := range []interface{ SVG() ([]byte, error) }{&Line{Title: "x"}, &Bar{Title: "x"},
		&Bar{Title: "x", Labels: []string{"a"}, Series: []Series{{"s", []float64{0}}}}} {
		svg, err := c.SVG()
		if err != nil || !bytes.Contains(svg, []byte("No data")) {
			t.Errorf("empty chart: %v %s", err, svg)
		}
		wellFormed(t, svg)
	}
	if _, err := (&Line{Labels: []string{"a", "b"}, Series: []Series{{"s", []float64{1}}}}).SVG(); err == nil || !strings.Contains(err.Error(), `"s"`) {
		t.Errorf("mismatched lengths: %v", err)
	}
	if _, err := (&Bar{Labels: []string{"a"}, Series: []Series{{"s", []float64{-1}}}}).SVG(); err == nil || !strings.Contains(err.Error(), "value 0") {
		t.Errorf("a negative value: %v", err)
	}
}

func TestTicksAndNumbers(t *testing.T) {
	for _, tc := range []struct{ max, top, step float64 }{{0, 1, 1}, {1, 1, 1}, {7, 8, 2}, {10, 10, 2}, {99, 100, 20}, {1234, 1500, 500}, {1e6, 1e6, 2e5}} {
		if top, step := ticks(tc.max); top != tc.top || step != tc.step {
			t.Errorf("ticks(%v) = %v, %v; want %v, %v", tc.max, top, step, tc.top, tc.step)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {140875, "140,875"}, {74.44, "74.4"}, {1e6, "1,000,000"}, {math.NaN(), "–"}} {
		if got := Number(tc.v); got != tc.want {
			t.Errorf("Number(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func BenchmarkCharts(b *testing.B) {
	labels := make([]string, 40)
	vals := [2][]float64{make([]float64, 40), make([]float64, 40)}
	for i := range labels {
		labels[i] = "Jurisdiction " + string(rune('A'+i%26))
		vals[0][i], vals[1][i] = float64(i*37), float64(i*11)
	}
	bar := &Bar{Title: "t", Labels: labels, Series: []Series{{"a", vals[0]}, {"b", vals[1]}}}
	periods := make([]string, 16)
	line := &Line{Title: "t", Labels: periods}
	for s := range 5 {
		v := make([]float64, 16)
		for i := range v {
			v[i] = float64(i * s)
		}
		line.Series = append(line.Series, Series{Name: "s", Values: v})
	}
	b.ReportAllocs()
	for b.Loop() {
		bar.SVG()
		line.SVG()
	}
}
