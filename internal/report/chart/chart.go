// Package chart draws the transparency report's charts as SVG, rendered on
// the server: they need no JavaScript and load nothing from other hosts.
// We draw our own because gonum/plot brings GPL and CC-BY font code and
// go-echarts loads its scripts from a public host.
package chart

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// Series is one named line or set of bars. NaN is a missing value.
type Series struct {
	Name   string
	Values []float64
}

// Mark is a labelled vertical line on a trend chart, at one of its labels:
// an event such as a jurisdiction pause.
type Mark struct {
	Label string
	At    int
}

// palette is Okabe and Ito's, which readers with colour-blindness tell apart.
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

const font = `font-family="system-ui, sans-serif"`

// Line is a trend chart over labels such as half-years.
type Line struct {
	Title, Desc string
	Labels      []string
	Series      []Series
	Marks       []Mark
	YLabel      string
	Width       int // default 720
	Height      int // default 320
}

// Bar is a horizontal bar chart by category, such as jurisdictions; the
// series of a category are stacked.
type Bar struct {
	Title, Desc string
	Labels      []string
	Series      []Series
	Width       int // default 720; the height follows the number of bars
}

func check(labels []string, series []Series) error {
	for _, s := range series {
		if len(s.Values) != len(labels) {
			return fmt.Errorf("chart: series %q has %d values for %d labels", s.Name, len(s.Values), len(labels))
		}
		for i, v := range s.Values {
			if v < 0 || math.IsInf(v, 0) {
				return fmt.Errorf("chart: series %q value %d is %v; counts are never negative", s.Name, i, v)
			}
		}
	}
	return nil
}

// ticks returns round steps (1, 2 or 5 × 10ⁿ) from 0 to at least max.
func ticks(max float64) (top, step float64) {
	if max <= 0 || math.IsNaN(max) {
		return 1, 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if step < 1 {
		step = 1
	}
	return math.Ceil(max/step) * step, step
}

// Number formats v with thousands separators, and at most one decimal.
func Number(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 && whole[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

func esc(s string) string { return html.EscapeString(s) }

func open(b *bytes.Buffer, w, h int, title, desc string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="t d" %s font-size="12">`, w, h, w, h, font)
	fmt.Fprintf(b, `<title id="t">%s</title><desc id="d">%s</desc>`, esc(title), esc(desc))
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#fff"/>`, w, h)
	fmt.Fprintf(b, `<text x="12" y="20" font-size="14" font-weight="600" fill="#1d2330">%s</text>`, esc(title))
}

func legend(b *bytes.Buffer, series []Series, x, y int) {
	for i, s := range series {
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d" fill="#1d2330">%s</text>`,
			x, y-9, palette[i%len(palette)], x+14, y, esc(s.Name))
		x += 24 + 7*len([]rune(s.Name))
	}
}

func empty(b *bytes.Buffer, w, h int) {
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" fill="#5b6475">No data for this period</text>`, w/2, h/2)
}

// SVG renders the trend chart.
func (c *Line) SVG() ([]byte, error) {
	if err := check(c.Labels, c.Series); err != nil {
		return nil, err
	}
	w, h := c.Width, c.Height
	if w == 0 {
		w = 720
	}
	if h == 0 {
		h = 320
	}
	left, right, top, bottom := 64, 36, 48, 48
	pw, ph := w-left-right, h-top-bottom
	max := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				max = math.Max(max, v)
			}
		}
	}
	var b bytes.Buffer
	open(&b, w, h, c.Title, c.Desc)
	legend(&b, c.Series, left, 38)
	if len(c.Labels) == 0 || max == 0 {
		empty(&b, w, h)
		b.WriteString(`</svg>`)
		return b.Bytes(), nil
	}
	topV, step := ticks(max)
	y := func(v float64) float64 { return float64(top) + float64(ph)*(1-v/topV) }
	x := func(i int) float64 {
		if len(c.Labels) == 1 {
			return float64(left) + float64(pw)/2
		}
		return float64(left) + float64(pw)*float64(i)/float64(len(c.Labels)-1)
	}
	for v := 0.0; v <= topV+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#e3e6ec"/><text x="%d" y="%.1f" text-anchor="end" fill="#5b6475">%s</text>`,
			left, w-right, y(v), y(v), left-6, y(v)+4, Number(v))
	}
	if c.YLabel != "" {
		fmt.Fprintf(&b, `<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle" fill="#5b6475">%s</text>`, top+ph/2, top+ph/2, esc(c.YLabel))
	}
	every := (len(c.Labels) + 11) / 12 // at most a dozen labels
	for i, l := range c.Labels {
		if i%every == 0 || i == len(c.Labels)-1 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#5b6475">%s</text>`, x(i), h-bottom+18, esc(l))
		}
	}
	for _, m := range c.Marks {
		if m.At < 0 || m.At >= len(c.Labels) {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#a61b1b" stroke-dasharray="4 3"/><text x="%.1f" y="%d" fill="#a61b1b">%s</text>`,
			x(m.At), x(m.At), top, h-bottom, x(m.At)+4, top+12, esc(m.Label))
	}
	for si, s := range c.Series {
		colour := palette[si%len(palette)]
		var path strings.Builder
		pen := false
		for i, v := range s.Values {
			if math.IsNaN(v) {
				pen = false
				continue
			}
			if pen {
				path.WriteString(" L")
			} else {
				path.WriteString(" M")
			}
			fmt.Fprintf(&path, "%.1f %.1f", x(i), y(v))
			pen = true
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.TrimSpace(path.String()), colour)
		for i, v := range s.Values {
			if !math.IsNaN(v) {
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s, %s: %s</title></circle>`, x(i), y(v), colour, esc(s.Name), esc(c.Labels[i]), Number(v))
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.Bytes(), nil
}

// SVG renders the bar chart.
func (c *Bar) SVG() ([]byte, error) {
	if err := check(c.Labels, c.Series); err != nil {
		return nil, err
	}
	w := c.Width
	if w == 0 {
		w = 720
	}
	left, right, top, barH, gap := 170, 56, 48, 18, 6
	h := top + len(c.Labels)*(barH+gap) + 28
	if len(c.Labels) == 0 {
		h = 120
	}
	pw := w - left - right
	totals := make([]float64, len(c.Labels))
	max := 0.0
	for i := range c.Labels {
		for _, s := range c.Series {
			if !math.IsNaN(s.Values[i]) {
				totals[i] += s.Values[i]
			}
		}
		max = math.Max(max, totals[i])
	}
	var b bytes.Buffer
	open(&b, w, h, c.Title, c.Desc)
	legend(&b, c.Series, left, 38)
	if max == 0 {
		empty(&b, w, h)
		b.WriteString(`</svg>`)
		return b.Bytes(), nil
	}
	topV, _ := ticks(max)
	for i, l := range c.Labels {
		y := top + i*(barH+gap)
		name := []rune(l)
		if len(name) > 24 {
			name = append(name[:23], '…')
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#1d2330">%s</text>`, left-8, y+barH-5, esc(string(name)))
		x := float64(left)
		for si, s := range c.Series {
			v := s.Values[i]
			if math.IsNaN(v) || v == 0 {
				continue
			}
			bw := float64(pw) * v / topV
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s, %s: %s</title></rect>`,
				x, y, bw, barH, palette[si%len(palette)], esc(l), esc(s.Name), Number(v))
			x += bw
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" fill="#5b6475">%s</text>`, x+4, y+barH-5, Number(totals[i]))
	}
	b.WriteString(`</svg>`)
	return b.Bytes(), nil
}
