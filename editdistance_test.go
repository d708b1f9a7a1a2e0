package dueprocess

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"police", "police", 0}, {"police", "po1ice", 1}, {"police", "polic", 1},
		{"police", "ploice", 2}, {"", "abc", 3}, {"polizei", "pölizei", 1}, {"kitten", "sitting", 3},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := EditDistance(c.b, c.a); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (either way)", c.b, c.a, got, c.want)
		}
	}
}
